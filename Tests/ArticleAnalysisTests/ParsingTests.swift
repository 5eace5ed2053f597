import Testing

@testable import ArticleAnalysis

@Suite struct ParsingTests {
    private let analyzer = Support.analyzer

    @Test func envelopeFieldsAndAlternativeTextFields() throws {
        for field in ["text", "body", "content"] {
            let payload = JSONWriterForTests.object([
                ("id", "a1"), ("url", "https://example.com/a1"), ("source", "bbc"), ("title", "Iraq talks"),
                (field, "Iraq and the United States held talks in Baghdad on Sunday.\nThe talks will continue."),
            ])
            let record = try analyzer.analyze(payload)
            #expect(record.format == .json)
            #expect(record.id == "a1")
            #expect(record.url == "https://example.com/a1")
            #expect(record.source == "bbc")
            #expect(record.title == "Iraq talks")
            #expect(record.lead.hasPrefix("Iraq and the United States"))
            #expect(record.paragraphs == ["The talks will continue."])
        }
    }

    @Test func idFallsBackToURLThenFingerprint() throws {
        let withURL = try analyzer.analyze(
            JSONWriterForTests.object([("url", "https://x.test/1"), ("text", "Iraq news today")]))
        #expect(withURL.id == "https://x.test/1")
        let bare = try analyzer.analyze(Array("Iraq news today\n\nMore text here.".utf8))
        #expect(bare.id == "fp:" + bare.fingerprint.exactHex)
    }

    @Test func htmlIsStrippedAndDecoded() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Talks in Baghdad</title><style>p{color:red}</style>
            <script>var a = "<p>not text</p>";</script></head><body><!-- comment -->
            <h1>Talks in Baghdad</h1><p>Iraq &amp; the US met on <b>Sunday</b>,&nbsp;officials said.</p>
            <ul><li>First point</li><li>Second &#8220;point&#8221;</li></ul><div>Body text&#x21;</div>
            </body></html>
            """
        let record = try analyzer.analyze(Array(html.utf8))
        #expect(record.format == .html)
        #expect(record.title == "Talks in Baghdad")
        #expect(record.lead == "Iraq & the US met on Sunday, officials said.")
        #expect(record.highlights == ["First point", "Second \u{201C}point\u{201D}"])
        #expect(record.paragraphs == ["Body text!"])
        let json = String(decoding: record.jsonBytes(), as: UTF8.self)
        #expect(!json.contains("color:red") && !json.contains("not text") && !json.contains("comment"))
    }

    @Test func htmlInsideAnEnvelope() throws {
        let payload = JSONWriterForTests.object([("title", "T"), ("html", "<p>First paragraph.</p><p>Second one.</p>")])
        let record = try analyzer.analyze(payload)
        #expect(record.lead == "First paragraph.")
        #expect(record.paragraphs == ["Second one."])
    }

    @Test func boilerplateIsRemoved() throws {
        let text = """
            Title line

            Lead paragraph about Iraq.
            Read also: another story
            Body paragraph one.
            Share on Facebook
            Body paragraph two.
            Related
            Some other headline
            Another headline
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.title == "Title line")
        #expect(record.paragraphs == ["Body paragraph one.", "Body paragraph two."])
    }

    @Test func jsonLinesSplitting() {
        let bytes = Array("{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}".utf8)
        let lines = JSONLines.split(bytes)
        #expect(lines.map(\.number) == [1, 4, 5])
        #expect(
            lines.map { String(decoding: bytes[$0.range], as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        #expect(JSONLines.split([]).isEmpty)
    }

    @Test func jsonReaderDecodesEscapes() throws {
        let source = Array(
            #"{"s": "a\"b\\c\/d\n\u00e9\ud83d\ude00\u0627", "n": -1.5e3, "t": true, "z": null, "a": []}"#.utf8)
        let value = try source.withUnsafeBufferPointer { p in try JSONReader.parse(p, maxDepth: 4) }
        #expect(value["s"] == .string("a\"b\\c/d\né😀ا"))
        #expect(value["n"] == .number("-1.5e3"))
        #expect(value["t"] == .bool(true))
        #expect(value["z"] == .null)
        #expect(value["a"] == .array([]))
    }

    @Test func jsonWriterEscapesAndFormatsDecimals() {
        var w = JSONWriter(capacity: 64)
        w.opening("[")
        w.string("q\"\\\n\u{1}\u{2028}")
        w.decimal(0.12345)
        w.decimal(1)
        w.decimal(-0.5)
        w.decimal(.nan)
        w.closing("]")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"["q\"\\\n\u0001\u2028",0.1235,1,-0.5,0]"#)
    }
}

@Suite struct EnrichmentTests {
    private let analyzer = Support.analyzer

    @Test func englishEntitiesQuotesAndDates() throws {
        let text = """
            Blair meets Putin in Moscow

            Prime Minister Tony Blair met Russian President Vladimir Putin in Moscow on Monday, 14 March 2005.
            "We had very constructive talks about Iraq and Iran," Mr Blair told reporters.
            The US and NATO were not represented, a UN spokesman said.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.language == .english)
        let persons = record.entities.persons.map(\.name)
        #expect(persons.contains("Tony Blair") && persons.contains("Vladimir Putin"))
        let countries = Set(record.entities.locations.compactMap(\.country))
        #expect(countries.isSuperset(of: ["RU", "IQ", "IR", "US"]))
        #expect(record.entities.organizations.map(\.name).contains("NATO"))
        #expect(record.quotes.contains { $0.speaker == "Tony Blair" && $0.text.hasPrefix("We had very constructive") })
        #expect(record.dates.contains { $0.text == "14 March 2005" && $0.value == "2005-03-14" })
        #expect(record.dates.contains { $0.text == "Monday" && $0.kind == .weekday })
    }

    @Test func capitalisedWordsDescribingSomethingElseAreNotTheSpeaker() throws {
        let text = """
            Markets rally as sales beat forecasts

            "Consumers have proved more resilient than we thought," said one economist at a London investment bank.
            "Giving union safety reps more rights is the ultimate win-win," the editor of Hazards magazine said.
            "We are here to stop the shelling and bring the prisoners home," the UN envoy said.
            "This would be two of the three blockbuster drugs failing," said Nick Turner, analyst at brokers Jefferies.
            "The rights associated with the name are extremely important to us," Orange said in a statement.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        func speaker(_ prefix: String) -> String?? { record.quotes.first { $0.text.hasPrefix(prefix) }.map(\.speaker) }
        #expect(speaker("Consumers have proved") == .some(nil))
        #expect(speaker("Giving union safety reps") == .some(nil))
        // The role as written, not its capitalised modifier alone ("UN").
        #expect(speaker("We are here to stop") == "UN envoy")
        #expect(speaker("This would be two") == "Nick Turner")
        #expect(speaker("The rights associated") == "Orange")
    }

    @Test func anInstitutionAfterATitleIsNotAPersonAndTheRoleSpeaks() throws {
        let text = """
            البرلمان يصوت على القانون

            صوّت مجلس النواب مساء الثلاثاء على مشروع القانون.
            وقال رئيس مجلس النواب في مؤتمر صحفي إن "القانون الجديد يضمن تمثيلاً عادلاً لجميع المحافظات".
            وقال فيها إن "التصويت جرى بأغلبية واضحة بعد نقاش طويل".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.entities.persons.isEmpty, "\(record.entities.persons.map(\.name))")
        let speakers = record.quotes.map(\.speaker)
        #expect(speakers == ["رئيس مجلس النواب", nil], "\(record.quotes)")
    }

    @Test func anArabicRoleSpeakerEndsBeforeTimesAndAddressees() throws {
        let text = """
            أزمة دبلوماسية

            وقال متحدث باسم البيت الأبيض الثلاثاء إن "الإدارة لن تغير موقفها من الاتفاق".
            وقال مسؤولون لصحيفة نيويورك تايمز إن "المحادثات توقفت منذ أسابيع بلا نتيجة".
            وقال المدير التنفيذي للمنظمة إن "التقرير يستند إلى شهادات موثقة من الميدان".
            وقالت الخميس إن "الوفد سيعود إلى العاصمة في نهاية الأسبوع المقبل".
            وأضاف قائلا إن "الحل لا يمكن أن يكون عسكريا في هذه المرحلة".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let speakers = record.quotes.map(\.speaker)
        // "وقالت الخميس" and "وأضاف قائلا" have no subject after the verb: the first, feminine, does not continue the
        // director; the second does.
        #expect(
            speakers == [
                "متحدث باسم البيت الأبيض", "مسؤولون", "المدير التنفيذي للمنظمة", nil, "المدير التنفيذي للمنظمة",
            ],
            "\(record.quotes)")
    }

    @Test func anArabicQuoteOpenedAfterTheVerbContinuesThePreviousSpeaker() throws {
        let text = """
            تصريحات

            وقال المحامي إن "موكله لم يرتكب أي مخالفة للقانون".
            وأضاف: "قررت أن أطعن في الحكم أمام محكمة الاستئناف الأسبوع المقبل".
            وأكد "النوري" على أنه "ليس من مصلحة أحد تعريض حياة المواطنين للخطر".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.quotes.map(\.speaker) == ["المحامي", "المحامي", "النوري"], "\(record.quotes)")
    }

    @Test func aSpokespersonIsNamedAfterWhomTheySpeakFor() throws {
        let text = """
            الكرملين يرد

            وقال المتحدث باسم الكرملين، دميتري بيسكوف إن "روسيا لا تعلق على الاستقالة".
            وقالت المتحدثة باسم وزارة الخارجية الأمريكية هيذر نويرت إن "الاتصالات مستمرة".
            وقال متحدث باسم البيت الأبيض إن "الرئيس سيرد في الوقت المناسب".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.entities.persons.map(\.name) == ["دميتري بيسكوف", "هيذر نويرت"], "\(record.entities.persons)")
        let speakers = record.quotes.map(\.speaker)
        #expect(speakers == ["دميتري بيسكوف", "هيذر نويرت", "متحدث باسم البيت الأبيض"], "\(record.quotes)")
    }

    @Test func anArabicReportingVerbsSentenceEndsItsSearchForAQuote() throws {
        let text = """
            تجربة صاروخية

            ووصل الصاروخ إلى ارتفاع نحو 550 كيلومترا، حسبما ذكر الجيش الكوري الجنوبي. ويعتقد أن هذا الطراز قادر             على الطيران لمسافة بعيدة.
            وأعلن الوزير عن خطة جديدة للنقل! وقال الرئيس المصري محمد مرسي إن "الخطة ستنفذ العام المقبل".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let quotes = record.quotes.map { "\($0.speaker ?? "-"): \($0.text)" }
        #expect(quotes == ["محمد مرسي: الخطة ستنفذ العام المقبل"], "\(quotes)")
    }

    @Test func anArabicQuantifiersSpeakerKeepsWhomItCounts() throws {
        let text = """
            معركة الموصل

            وقال العديد من المقاتلين في الجماعات المسلحة إن "التنظيم أهدر الكثير من رجاله".
            وقال بعض المسؤولين لرويترز إن "الهجوم سيستمر أسابيع".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.quotes.map(\.speaker) == ["العديد من المقاتلين", "بعض المسؤولين"], "\(record.quotes)")
    }

    @Test func anArabicQuoteBelongsToItsOwnReportingVerb() throws {
        // للرأي is a noun, not the verb رأى; بعد أن is a time; وقالت starts a clause with its own quote, أضاف in a
        // relative clause does not.
        let text = """
            مواقف

            وأظهر استطلاع للرأي أجرته رويترز أن "كلينتون متقدمة على ترامب بست نقاط".
            وأعلن الاتحاد السوفيتي الحرب على اليابان بعد أن توصل إلى اتفاق مع الولايات المتحدة.
            وكانت البحرين قد أعلنت قطع علاقاتها مع قطر وقالت في بيان إن "القرار نهائي ولا رجعة فيه".
            وقال مسؤول في البيت الأبيض الذي أضاف أن "الإدارة لا تعتقد ذلك".
            وأعلنت بكين مطالبتها بالتوقف عن الاستفزاز، إذ قال الوزير وانغ وي إن "بلاده ترجو التهدئة".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let quotes = record.quotes.map { "\($0.speaker ?? "-"): \($0.text)" }
        #expect(
            quotes == [
                "-: القرار نهائي ولا رجعة فيه", "مسؤول: الإدارة لا تعتقد ذلك", "الوزير وانغ وي: بلاده ترجو التهدئة",
            ], "\(quotes)")
    }

    @Test func anArabicVerbOfTheOtherGenderDoesNotContinueTheLastSpeaker() throws {
        let text = """
            تصريحات

            وقال الرئيس المصري محمد مرسي إن "الاتفاق مهم للمنطقة".
            وأضاف أن "المفاوضات ستستمر".
            وقالت إن "الوكالة تعرضت للقرصنة".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.quotes.map(\.speaker) == ["محمد مرسي", "محمد مرسي", nil], "\(record.quotes)")
    }

    @Test func anArabicSubjectWrittenBeforeTheVerbSpeaks() throws {
        let text = """
            تصريحات

            لكن شركة أرامكو قالت إن "تأجيل الشحنات كان لظروف تجارية".
            وكان كومي قد قال إن "الرئيس طلب منه وقف التحقيق".
            ونقلا عن المشرفة على الدراسة من الجامعة العبرية قالت إن "النتائج صادمة للجميع".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.quotes.map(\.speaker) == ["شركة أرامكو", "كومي", nil], "\(record.quotes)")
    }

    @Test func anArabicQuotationAfterTheVerbIsTheQuote() throws {
        let text = """
            بوتين يعلق

            وقال بوتين "لا أحد توقع فوزه إلا نحن".
            وقالت لبرنامج "اليوم" الذي تبثه الشبكة إن "الحضور كان للتضامن مع العاملين في الفندق".
            وقالت السفيرة تعليقا "هذه الأسلحة يسيطر عليها حزب الله بشكل شبه كامل".
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let quotes = record.quotes.map { "\($0.speaker ?? "-"): \($0.text)" }
        #expect(
            quotes == [
                "فلاديمير بوتين: لا أحد توقع فوزه إلا نحن", "-: الحضور كان للتضامن مع العاملين في الفندق",
                "السفيرة: هذه الأسلحة يسيطر عليها حزب الله بشكل شبه كامل",
            ], "\(quotes)")
    }

    @Test func aSurnameThatIsACommonWordNamesNobodyAlone() throws {
        let common = try analyzer.analyze(
            Array(
                "ارتفاع الأسعار\n\nقال الوزير إن السبب الرئيسي وراء ارتفاع الأسعار هو التضخم، وصدر القرار الخميس."
                    .utf8))
        #expect(common.entities.persons.isEmpty, "\(common.entities.persons.map(\.name))")
        let named = try analyzer.analyze(
            Array(
                "زيارة رسمية\n\nاستقبل الرئيس الإيراني إبراهيم رئيسي الوفد في طهران. وقال رئيسي إن الزيارة مهمة.".utf8))
        let raisi = named.entities.persons.first { $0.name == "إبراهيم رئيسي" }
        #expect(raisi?.known == true && raisi?.mentions == 2, "\(named.entities.persons)")
    }

    @Test func anAcronymAfterATitleIsNotAPerson() throws {
        let record = try analyzer.analyze(
            Array(
                """
                Housing figures

                Prices rose in November, the Office of the Deputy Prime Minister (ODPM) has said.
                Praised in the 1990s, the Kyrgyz President, Askar Akaev, pushed through the reform.
                """.utf8))
        #expect(record.entities.persons.map(\.name) == ["Askar Akaev"])
    }

    @Test func aFirstNameBeforeAKnownSurnameIsSomeoneElse() throws {
        let text = """
            Police chief backs control orders

            New Metropolitan Police Commissioner Sir Ian Blair has backed the control orders, saying: "I'm sorry. \
            It is a dilemma, but there is only one choice." But Mr Howard said: "We have serious misgivings about it."
            Labour's Blair was not available. In January Blair said he would stay.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let persons = Dictionary(uniqueKeysWithValues: record.entities.persons.map { ($0.name, $0.mentions) })
        #expect(persons["Ian Blair"] == 1 && persons["Tony Blair"] == 2 && persons["Ian"] == nil, "\(persons)")
        #expect(record.quotes.map(\.speaker) == ["Ian Blair", "Howard"], "\(record.quotes)")
    }

    @Test func anEnglishNameBeforeACommaAndARoleIsAPerson() throws {
        let text = """
            Maternity pay plans

            But David Frost, director general of the British Chambers of Commerce, warned that firms could be hit. \
            "While the majority of any salary costs may be covered, small firms will struggle," he said.
            Analysts at Goldman Sachs, chief economist Jim Smith among them, expect no change in rates this year.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        // Jim Smith by his title; Goldman Sachs, before a comma and a role, is no person.
        #expect(record.entities.persons.map(\.name) == ["David Frost", "Jim Smith"], "\(record.entities.persons)")
        #expect(record.quotes.map(\.speaker) == ["David Frost"], "\(record.quotes)")
    }

    @Test func heSaidIsThePersonMentionedLast() throws {
        let text = """
            Terror plans

            Tory leader Michael Howard said he would not back the plans. "I do not believe that anyone should be \
            deprived of their liberty," he said.
            Home Secretary Charles Clarke defended them in the Commons on Monday. "These powers are needed to keep \
            the country safe," he said.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.quotes.map(\.speaker) == ["Michael Howard", "Charles Clarke"], "\(record.quotes)")
    }

    @Test func aNameAfterAVerbThatFollowsAQuoteIsTheSpeaker() throws {
        let text = """
            Markets slow

            "Overall, the market is slowing down and lending data backs that up," said Mark Miller, at Acme Treasury \
            Services. "The official data is a fairly lagging indicator."
            "I am quite confident about the season ahead," said Claxton. "But I take each race as it comes."
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let speakers = record.quotes.map(\.speaker)
        #expect(speakers == ["Mark Miller", "Mark Miller", "Claxton", "Claxton"], "\(record.quotes)")
    }

    @Test func aTitleAndItsNameAreNotSplitByASentenceEnd() throws {
        let text = """
            Strike talks

            The talks were confirmed by a Labour Party spokesman. Speaking in London, Mr. Smith said they would go on.
            The Kyrgyz President, Askar Akaev, agreed.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.entities.persons.map(\.name) == ["Smith", "Askar Akaev"], "\(record.entities.persons)")
    }

    @Test func aRoleNextToTheVerbIsTheSpeaker() throws {
        let text = """
            Aid offer

            The spokesman said: "The government has formally offered the assistance of a company of Gurkhas."
            "We will not be moving on this at all," said a Labour Party spokesman.
            Speaking in London, the prime minister said: "I am an issue and I always will be."
            The minister of state said the talks would go on. "Nobody wants a long dispute here," the union added.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let speakers = record.quotes.map(\.speaker)
        #expect(speakers == ["spokesman", "Labour Party spokesman", "prime minister", nil], "\(record.quotes)")
    }

    @Test func aRoleBeforeANameIsATitle() throws {
        let text = """
            Results

            Chief executive Tom McKillop said sales rose. Striker James Beattie scored twice, and manager David Moyes \
            was pleased. Sir Ian Blair, New York attorney general Elliot Spitzer and political editor Andrew Marr \
            were there. General Motors and the Economist Intelligence Unit were not; nor was anyone on Centre Court.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(
            record.entities.persons.map(\.name) == [
                "Tom McKillop", "James Beattie", "David Moyes", "Ian Blair", "Elliot Spitzer", "Andrew Marr",
            ], "\(record.entities.persons)")
    }

    @Test func newspapersAreOrganisations() throws {
        let arabic = try analyzer.analyze(
            Array(
                """
                صحف عربية

                وفي صحيفة القدس العربي كتب المحرر عن الأزمة، ونقلت صحيفة الغارديان عن مسؤولين قولهم إن التفاوض مستمر.
                """.utf8))
        #expect(arabic.entities.organizations.map(\.name) == ["القدس العربي", "الغارديان"])
        // "القدس العربي" is a newspaper, not Jerusalem.
        #expect(arabic.entities.locations.isEmpty, "\(arabic.entities.locations)")
        // The Guardian has no English spelling: in English it is an ordinary word.
        let english = try analyzer.analyze(
            Array("Court ruling\n\nThe judge named the guardian of the children, the Financial Times reported.".utf8))
        #expect(english.entities.organizations.map(\.name) == ["Financial Times"])
    }

    @Test func aHyphenatedTitleIsATitle() throws {
        let text = """
            Campaign

            The press conference hosted by election co-ordinator Alan Milburn was busy; co-founder Jimmy Wales and \
            Vice-President Jane Hill came too.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(
            record.entities.persons.map(\.name) == ["Alan Milburn", "Jimmy Wales", "Jane Hill"],
            "\(record.entities.persons)")
    }

    @Test func theSpeakerIsThePersonNearestTheVerb() throws {
        let text = """
            Election

            In an interview with Mr Marr on Sunday, Mr Brown said: "We all have to work for a Labour government."
            "We are not squabbling like schoolboys at all," Mr Blair told Mr Humphrys.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let speakers = record.quotes.map(\.speaker)
        #expect(speakers == ["Brown", "Tony Blair"], "\(record.quotes)")
    }

    @Test func aParticipleSpeaksForThePersonOfItsSentence() throws {
        let text = """
            Orange sues Easy

            However, Mr Haji-Ioannou, who plans to launch a phone service next month, vowed to fight back, saying: \
            "We have nothing to be afraid of in this court case."
            Mr Blair met the union in London. The union later issued a statement on its website, saying: "We will \
            take this case to the court of appeal."
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let speakers = record.quotes.map(\.speaker)
        #expect(speakers == ["Haji-Ioannou", nil], "\(record.quotes)")
    }

    @Test func itSaidNeverContinuesAPerson() throws {
        let text = """
            Rail strike

            Transport Secretary Alistair Darling said: "The strike is simply unjustified." Network Rail criticised \
            the union too. "The union has broken its word," it said.
            Network Rail said: "Trains will run on most lines today." "Most of our staff will come to work," it said.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let speakers = record.quotes.map(\.speaker)
        #expect(speakers == ["Alistair Darling", nil, "Network Rail", "Network Rail"], "\(record.quotes)")
    }

    @Test func aTitledSurnameTakesTheFullNameWrittenBefore() throws {
        let text = """
            Tories reject house arrest

            Michael Howard said he would not back the plans. Yesterday Brown was in Africa.
            But Mr Howard said: "We have serious misgivings about both their effectiveness and consequences."
            Later Mr Howard and Mr Brown left. Mr Jones said nothing at all.
            """
        let record = try analyzer.analyze(Array(text.utf8))
        let persons = record.entities.persons.map { "\($0.name):\($0.mentions)" }
        #expect(persons == ["Michael Howard:3", "Brown:1", "Jones:1"], "\(persons)")
        #expect(record.quotes.map(\.speaker) == ["Michael Howard"], "\(record.quotes)")
    }

    @Test func anArabicTitleWithTheArticleClosesANameBeforeIt() throws {
        let record = try analyzer.analyze(
            Array(
                """
                غارة جوية

                وقال العميد يحيى رسول المتحدث باسم قيادة العمليات المشتركة إنه لا يمكنه تأكيد الضربة الجوية.
                ومن أبرز التعديلات ترك الجنرال حسين دهقان منصب وزير الدفاع في الحكومة الجديدة.
                """.utf8))
        #expect(record.entities.persons.map(\.name) == ["يحيى رسول"], "\(record.entities.persons)")
        #expect(record.quotes.map(\.speaker) == ["يحيى رسول"], "\(record.quotes)")
    }

    @Test func aHyphenJoinsTheWordsOfAName() throws {
        let english = try analyzer.analyze(
            Array("Orange sues Easy\n\nHowever, Mr Haji-Ioannou vowed to fight back in court next month.".utf8))
        #expect(english.entities.persons.map(\.name) == ["Haji-Ioannou"])
        let arabic = try analyzer.analyze(
            Array(
                """
                زيارة إلى سيول

                التقت وزيرة الخارجية كانغ كيونغ-هوا، نظيرها الأمريكي في سيول.
                ويشارك في الاجتماع وزير الخارجية الكوري الشمالي ري يونغ-هو .
                """.utf8))
        // هو ("he") is a function word, but the hyphen joins it to the name.
        #expect(arabic.entities.persons.map(\.name) == ["كانغ كيونغ-هوا", "ري يونغ-هو"], "\(arabic.entities.persons)")
    }

    @Test func functionWordsAfterATitleNameNobody() throws {
        let record = try analyzer.analyze(
            Array(
                """
                تحقيق

                قال إن زملاءه كانوا مصدومين من طلب الرئيس "غير المسبوق". وسعى إلى اتهام جنائي للرئيس. ففي الوقت \
                الذي تشير فيه التقديرات إلى غير ذلك.
                ويواصل الرئيس الامريكي المنتخب اطلاق التغريدات التي يتناول فيها القضية، وقد تؤثر معاقبة الرئيس \
                أثناء حكمه على المؤسسات.
                """.utf8))
        #expect(record.entities.persons.isEmpty, "\(record.entities.persons)")
    }

    @Test func anArabicNameEndsBeforeANounWithTheArticle() throws {
        // الرد and بالالتزام are no nisba surnames: the name closes before them.
        let record = try analyzer.analyze(
            Array(
                """
                البيت الأبيض يرد

                ورفض المتحدث باسم البيت الأبيض شون سبايسر الرد على سؤال حول الاجتماع.
                وتعهد رئيس الوزراء شانزو آبي بالالتزام بالاتفاق.
                """.utf8))
        #expect(record.entities.persons.map(\.name) == ["شون سبايسر", "شانزو آبي"], "\(record.entities.persons)")
    }

    @Test func whomATitleIsForIsNoPartOfTheName() throws {
        let record = try analyzer.analyze(
            Array("لقاء في البيت الأبيض\n\nويقال إن الرئيس التنفيذي لأبل تيم كوك، حضر الاجتماع مع ليث خلف.".utf8))
        #expect(record.entities.persons.map(\.name) == ["تيم كوك"], "\(record.entities.persons)")
    }

    @Test func anArabicSurnameMayStartWithFeh() throws {
        // The stemmer reads the ف of فلوريس and فابيوس as a conjunction; as the name's last word it is a letter.
        let record = try analyzer.analyze(
            Array(
                """
                تصريحات

                وقالت المتحدثة باسم وزارة العدل، سارة أيسغور فلوريس، إنه "لم يكن هناك أي اتصال بالسفير".
                وقال وزير الخارجية الفرنسي لوران فابيوس إن "الاتفاق جيد للمنطقة كلها".
                وقال الرئيس المصري محمد مرسي فقط إن "الاجتماع كان مفيدا للطرفين".
                """.utf8))
        let persons = record.entities.persons.map(\.name)
        #expect(persons == ["سارة أيسغور فلوريس", "لوران فابيوس", "محمد مرسي"], "\(persons)")
        #expect(record.quotes.map(\.speaker) == persons, "\(record.quotes)")
    }

    @Test func anArabicNameBetweenTheVerbAndAnAppositionIsAPerson() throws {
        let record = try analyzer.analyze(
            Array(
                """
                تصريحات

                وقال جول ميلمان المتحدث باسم المنظمة للصحفيين إن "الجسور دمرت".
                وقال محمد راشد المزروعي المسؤول في وزارة الداخلية إن "القرار سار".
                وقال أكبر البكر رئيس الخطوط الجوية القطرية إن "الشركة ستتوسع".
                وقال مصدر أمني مسؤول إن "الهجوم فشل". كما صرح بذلك مرارا مسؤولون ايرانيون.
                """.utf8))
        let persons = record.entities.persons.map(\.name)
        #expect(persons == ["جول ميلمان", "محمد راشد المزروعي", "أكبر البكر"], "\(persons)")
        #expect(record.quotes.map(\.speaker) == persons + ["مصدر أمني مسؤول"], "\(record.quotes)")
    }

    @Test func aTitleOrPunctuationAfterATitleNamesNobody() throws {
        let record = try analyzer.analyze(
            Array(
                """
                من الفائز

                وقال إن الملك الحقيقي ولي العهد هو الذي يتولى كل صغيرة وكبيرة.
                وتحت عنوان "من الفائز أم ولي العهد السعودي؟"، يعدد طارق حرب في جريدة الأسباب.
                وأعلن ولي العهد السعودي الأمير محمد بن سلمان عن مشروع جديد.
                """.utf8))
        #expect(record.entities.persons.map(\.name) == ["محمد بن سلمان"], "\(record.entities.persons)")
    }

    @Test func aFirstNameWithTheArticleBeforeBinStartsTheName() throws {
        let record = try analyzer.analyze(
            Array("استثمار جديد\n\nوقال الأمير الوليد بن طلال إن \"الشركة ستوسع أعمالها في المنطقة\".".utf8))
        #expect(record.entities.persons.map(\.name) == ["الوليد بن طلال"], "\(record.entities.persons)")
    }

    @Test func anArabicFirstNameMayStartWithWawOrFeh() throws {
        let record = try analyzer.analyze(
            Array("زيارة إلى نيروبي\n\nوقال الرئيس الكيني وليام روتو إن \"الاتفاق مهم للمنطقة كلها\".".utf8))
        #expect(record.entities.persons.map(\.name) == ["وليام روتو"], "\(record.entities.persons)")
        #expect(record.quotes.map(\.speaker) == ["وليام روتو"], "\(record.quotes)")
    }

    @Test func anArabicNameEndsBeforeAWordWithAProclitic() throws {
        let record = try analyzer.analyze(
            Array("وساطة في الخليج\n\nالتقى الأمير المبعوث الجنرال المتقاعد أنتوني زيني ونائبه في الكويت.".utf8))
        #expect(record.entities.persons.map(\.name) == ["أنتوني زيني"], "\(record.entities.persons)")
    }

    @Test func anEnglishQuoteAfterAColonBelongsToTheWordsBeforeIt() throws {
        let text = """
            Maternity pay to rise

            The Tories dismissed the plan. Liberal Democrat spokeswoman for women Sandra Gidley said: "While mothers \
            would welcome any extra pay, this money is being misdirected." Ms Gidley said her party would do more.
            Electoral Commission boss Sam Younger said: "We know that young people often feel disengaged."
            """
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.quotes.map(\.speaker) == ["Sandra Gidley", "Sam Younger"], "\(record.quotes)")
    }

    @Test func lowercaseCommonWordsAreNotPlaces() throws {
        let record = try analyzer.analyze(
            Array("We ate turkey\n\nLet us go to the china shop, said nobody in particular.".utf8))
        #expect(record.entities.locations.isEmpty)
    }

    @Test func oneLetterTypoInALongNameIsTolerated() throws {
        let record = try analyzer.analyze(
            Array("الانسحاب من أفعانستان\n\nقالت الحكومة إن الانسحاب من أفعانستان انتهى.".utf8))
        #expect(record.entities.locations.first?.country == "AF")
    }

    @Test func arabicAbsoluteDates() throws {
        let text = "عنوان الخبر\n\nوصل الوفد في 15 آب/أغسطس 2021 إلى بغداد، وغادر في ٣ تشرين الأول ٢٠٢١."
        let record = try analyzer.analyze(Array(text.utf8))
        #expect(record.dates.map(\.value) == ["2021-08-15", "2021-10-03"])
    }

    @Test func fingerprintsIgnoreFormattingAndTrackNearDuplicates() throws {
        let a =
            "العراق والولايات المتحدة\n\nقال رئيس الوزراء العراقي إن المحادثات مع الولايات المتحدة كانت مثمرة وإن الحوار سيستمر الأسبوع المقبل في بغداد."
        let b =
            "العراق والولايات المتحدة\n\nقالَ رئيس الوزراء العراقيّ، إنّ المحادثات مع الولايات المتحدة كانت مثمرة وإن الحوار سيستمر الأسبوع المقبل في بغداد!"
        let c = a.replacingOccurrences(of: "الأسبوع المقبل", with: "الشهر المقبل")
        let d = "Football results\n\nThe home side won the match three to one after a late goal in the second half."
        let fa = try analyzer.analyze(Array(a.utf8)).fingerprint
        let fb = try analyzer.analyze(Array(b.utf8)).fingerprint
        let fc = try analyzer.analyze(Array(c.utf8)).fingerprint
        let fd = try analyzer.analyze(Array(d.utf8)).fingerprint
        #expect(fa.exact == fb.exact)
        #expect(fa.exact != fc.exact)
        #expect(Fingerprint.distance(fa.simhash, fc.simhash) < Fingerprint.distance(fa.simhash, fd.simhash))
        #expect(Fingerprint.distance(fa.simhash, fc.simhash) <= 16)
    }

    @Test func languageDetection() throws {
        #expect(
            try analyzer.analyze(Array("Le président a parlé\n\nLe gouvernement français a annoncé des mesures.".utf8))
                .language == .other)
        let arabic = try analyzer.analyze(
            Array("خبر\n\nأعلنت الحكومة العراقية اليوم عن نتائج الانتخابات البرلمانية.".utf8))
        #expect(arabic.language == .arabic && arabic.languageConfidence > 0.9)
    }
}
