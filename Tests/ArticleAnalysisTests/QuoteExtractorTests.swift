import Testing

@testable import ArticleAnalysis

@Suite struct QuoteExtractorTests {
    private func quotes(_ paragraphs: [String], language: Language) -> [Quote] {
        let gazetteer = Gazetteer.bundled
        let text = ArticleText(title: "", lead: "", highlights: [], paragraphs: paragraphs, gazetteer: gazetteer)
        var entities = EntityExtractor(text: text, gazetteer: gazetteer, language: language)
        _ = entities.extract(limit: 20)
        return QuoteExtractor(text: text, entities: entities).extract(limit: 10)
    }

    @Test func quotedSpansEndAtTheirClosingMarkWhereverItFalls() {
        // Closing marks before, at and past the sixteen bytes of a vector round, and a stray “ inside a quote.
        let arabic = quotes(
            [
                "قال المتحدث إن «نعم» ثم غادر.",
                "وأكد الوزير أن «المفاوضات ستستمر حتى نهاية الشهر “ المقبل» في بغداد.",
                "وأضاف أن “الحوار مستمر” دون توقف.",
            ], language: .arabic)
        #expect(
            arabic.map(\.text) == ["نعم", "المفاوضات ستستمر حتى نهاية الشهر “ المقبل", "الحوار مستمر"])
        let english = quotes(
            [
                "\u{201C}We will keep talking with our partners until the end,\u{201D} Blair said on Monday.",
                "\"The talks were very constructive indeed,\" she told reporters.",
            ], language: .english)
        #expect(
            english.map(\.text) == [
                "We will keep talking with our partners until the end", "The talks were very constructive indeed",
            ])
    }

    @Test func aVerbFollowedOnlyByATimeHasItsSubjectBefore() {
        let found = quotes(["وكان ترامب قال الأسبوع الماضي إنه \"معجب كبير\" بالأجهزة الاستخبارية."], language: .arabic)
        #expect(found.map(\.speaker) == ["دونالد ترامب"], "\(found)")
    }

    @Test func aVerbAfterAnUnreadSubjectContinuesNoOne() {
        let found = quotes(
            [
                "وقال وزير الدفاع جيمس ماتيس إن بلاده مستعدة لكل الاحتمالات في المنطقة.",
                "وكان المفتش العام لوزارة العدل مايكل هوروفيتز قال الخميس إنه سيحقق في تصرفات معينة.",
                "وقال ماتيس إن الحرب ليست الخيار الأول. ولكنه قال إن الجهود الدبلوماسية مستمرة حتى الآن.",
                "كما أكد أن بلاده لم تعد بحاجة إلى قوات قتالية في المنطقة.",
            ], language: .arabic)
        #expect(found.map(\.speaker) == ["جيمس ماتيس", nil, "جيمس ماتيس", "جيمس ماتيس", "جيمس ماتيس"], "\(found)")
    }

    @Test func aTweetIsReportedSpeech() {
        let found = quotes(
            ["وغرد ترامب على موقع تويتر قائلا: \"رئيسة تايوان اتصلت بي لتهنئتي على فوزي بالرئاسة\"."], language: .arabic
        )
        #expect(found.map(\.speaker) == ["دونالد ترامب"], "\(found)")
    }

    @Test func aRoleAfterTheVerbRunsToEightWordsAndStopsAtKnownAs() {
        let found = quotes(
            [
                "وقال نائب رئيس وزراء تركيا ويسي قايناق إن طلب إغلاق القاعدة انتهاك لحقوق بلاده.",
                "وقال مصدر أمني وآخر عسكري لـ بي بي سي إن الهجوم وقع بسيارات مفخخة.",
                "وقالت رئاسة الشؤون الدينية التركية المعروفة باسم \"ديانت\" إن المسجد يخالف قواعد الدين.",
                "وقال محمود معروف إن الفريق فرح بالفوز في المباراة الأخيرة.",
            ], language: .arabic)
        #expect(
            found.map(\.speaker) == [
                "نائب رئيس وزراء تركيا ويسي قايناق", "مصدر أمني وآخر عسكري", "رئاسة الشؤون الدينية التركية",
                "محمود معروف",
            ], "\(found)")
    }

    @Test func aFunctionWordAfterTheVerbMeansNoSubjectAfterIt() {
        let found = quotes(
            [
                "وكان ترامب قال في مؤتمره الصحفي الأربعاء إنه يريد تقريرا عن كل أصناف الاختراق.",
                "وقال وزير الدفاع جيمس ماتيس إن بلاده مستعدة لكل الاحتمالات في المنطقة.",
                "وأشار إلى أن الجهود الدبلوماسية مستمرة حتى الآن في كل العواصم.",
            ], language: .arabic)
        #expect(found.map(\.speaker) == ["دونالد ترامب", "جيمس ماتيس", "جيمس ماتيس"], "\(found)")
    }

    @Test func theSubjectMayFollowAPronounAddressee() {
        let found = quotes(
            [
                "ولهذا السبب قال لي الأب ثابت إنه لا يمكن غفران ما حدث في البلدة.",
                "وقال لهم ليون جاورسكي، المحقق الخاص في القضية، إن السؤال الجوهري ما زال مطروحا.",
                "وقال لهم إن الوقت قد حان للعودة إلى البلدة.",
            ], language: .arabic)
        #expect(found.map(\.speaker) == ["الأب ثابت", "ليون جاورسكي", "ليون جاورسكي"], "\(found)")
    }

    @Test func aTimeBeforeTheVerbIsNoSubject() {
        let found = quotes(
            ["بعث كومي برسالة إلى الكونغرس في الـ 28 من تشرين الأول / أكتوبر الماضي قال إن ثمة رسائل أخرى."],
            language: .arabic)
        #expect(found.map(\.speaker) == [nil], "\(found)")
    }
}
