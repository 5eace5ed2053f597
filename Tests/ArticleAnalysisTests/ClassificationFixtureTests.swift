import Testing

@testable import ArticleAnalysis

/// Small hand-written articles (general knowledge, no dev-set text) for the kinds of story the dev sets are thin
/// on: English security and diplomacy, Arabic parliamentary politics, and the labelling convention on war-zone
/// humanitarian stories (8).
@Suite("Classification fixtures")
struct ClassificationFixtureTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        var name: String
        var language: Language
        var title: String
        var paragraphs: [String]
        var expected: Set<Label>
        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = [
        Fixture(
            name: "English: militant attack on an army base",
            language: .english,
            title: "Militants storm army base, killing 12 soldiers",
            paragraphs: [
                "Islamist militants armed with rifles and rocket-propelled grenades attacked an army base in the north "
                    + "of the country on Sunday, killing 12 soldiers in a firefight that lasted several hours.",
                "The military said troops backed by helicopter gunships repelled the assault and that 20 insurgents "
                    + "were killed. A roadside bomb later struck a convoy sent as reinforcements.",
                "The armed group has stepped up its insurgency this year, and the defence ministry has deployed "
                    + "special forces to the region.",
            ],
            expected: [.security]
        ),
        Fixture(
            name: "English: foreign minister's visit and bilateral talks",
            language: .english,
            title: "Foreign minister arrives for talks on trade and bilateral ties",
            paragraphs: [
                "The foreign minister arrived in the capital on Tuesday for two days of talks with her counterpart on "
                    + "trade, investment and bilateral relations.",
                "Diplomats said the two sides would sign a memorandum of understanding and a joint statement on "
                    + "cooperation at the United Nations, and the ambassador said ties had never been stronger.",
            ],
            expected: [.diplomacy]
        ),
        Fixture(
            name: "English: humanitarian story in a war zone is none (convention 8)",
            language: .english,
            title: "In a refugee camp, children return to school",
            paragraphs: [
                "Thousands of displaced families live in the camp, where aid agencies run schools and a small "
                    + "hospital. Doctors say hunger and cholera are the greatest dangers for the children.",
                "Many families fled the war two years ago. Teachers, themselves refugees, hold lessons in tents "
                    + "donated by the Red Cross and UNICEF.",
                "A charity has opened a second shelter and the World Food Programme delivers food every week.",
            ],
            expected: []
        ),
        Fixture(
            name: "Arabic: اشتباكات وهجوم على حاجز للجيش",
            language: .arabic,
            title: "مقتل جنود في هجوم مسلح على حاجز للجيش",
            paragraphs: [
                "قتل خمسة جنود وأصيب آخرون في هجوم شنه مسلحون على نقطة تفتيش تابعة للجيش، واندلعت اشتباكات "
                    + "استمرت ساعات.",
                "وقالت وزارة الدفاع إن القوات المسلحة أطلقت عملية عسكرية لملاحقة عناصر الجماعات الإرهابية في "
                    + "المنطقة الحدودية، وإن الطائرات الحربية قصفت مواقعهم.",
            ],
            expected: [.security]
        ),
        Fixture(
            name: "Arabic: زيارة رسمية ومباحثات ثنائية",
            language: .arabic,
            title: "وزير الخارجية يبحث مع نظيره تعزيز العلاقات بين البلدين",
            paragraphs: [
                "بحث وزير الخارجية مع نظيره خلال زيارة رسمية سبل تعزيز العلاقات الثنائية والتعاون بين البلدين.",
                "ووقع الجانبان مذكرة تفاهم، وأكد البيان المشترك دعم الجهود الدبلوماسية في الأمم المتحدة.",
            ],
            expected: [.diplomacy]
        ),
        Fixture(
            name: "Arabic: قصة إنسانية في منطقة حرب ليست أمنية (القاعدة 8)",
            language: .arabic,
            title: "أطفال المخيمات يعودون إلى المدارس",
            paragraphs: [
                "يعيش آلاف النازحين في مخيمات تفتقر إلى مياه الشرب، حيث تدير منظمات الإغاثة المدارس ومستشفى صغيرا.",
                "وفرت العائلات من الحرب قبل عامين، ويقول الأطباء إن الجوع والكوليرا أكبر خطر على الأطفال.",
                "ويوزع برنامج الأغذية العالمي الغذاء كل أسبوع، فيما يقدم الهلال الأحمر المساعدات الإنسانية.",
            ],
            expected: []
        ),
        Fixture(
            name: "Arabic: حجب الثقة عن الحكومة في البرلمان",
            language: .arabic,
            title: "البرلمان يصوت على حجب الثقة عن الحكومة",
            paragraphs: [
                "صوت مجلس النواب على سحب الثقة من الحكومة بعد استجواب الوزير، وطالبت الكتل البرلمانية بتشكيل "
                    + "حكومة جديدة.",
                "وقالت أحزاب المعارضة إنها ستخوض الانتخابات البرلمانية المبكرة إذا تقرر حل البرلمان.",
            ],
            expected: [.politics]
        ),
    ]

    @Test("hand-written articles get the expected labels", arguments: fixtures)
    func fixture(_ fixture: Fixture) throws {
        let result = try Classifier.bundled().classify(
            title: fixture.title,
            lead: fixture.paragraphs.first ?? "",
            body: Array(fixture.paragraphs.dropFirst()),
            language: fixture.language
        )
        #expect(Set(result.labels) == fixture.expected, "\(result.scores) \(result.evidence.prefix(6))")
        #expect(result.evidence.count <= 12)
    }
}
