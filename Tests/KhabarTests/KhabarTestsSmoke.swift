import Testing

@Test func placeholderKhabarTests() {}
