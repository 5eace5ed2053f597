import Testing

@Test func placeholderLexiconStoreTests() {}
