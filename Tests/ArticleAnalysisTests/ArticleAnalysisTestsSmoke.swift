import Testing

@Test func placeholderArticleAnalysisTests() {}
