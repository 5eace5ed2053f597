import Testing

@Test func placeholderWorkerTests() {}
