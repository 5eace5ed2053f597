import Testing

@Test func placeholderKafkaTests() {}
