/// The numeric parameters of the classifier (`model.tsv`): thresholds, saturation, zone weights, context rules.
public struct ModelParameters: Sendable, Hashable {
    /// The version declared by the lexicon's authors. Default: `"0"`.
    public var declaredVersion: String
    /// Decision threshold per label on the score in [0, 1]. Default: 0.5 for every label.
    public var thresholds: [Label: Double]
    /// Per-language threshold overrides (`threshold.<lang>.<label>`). Default: none.
    public var languageThresholds: [Language: [Label: Double]]
    /// Saturation constant k per label: score = 1 − exp(−raw / k). Default: 6 for every label.
    public var scales: [Label: Double]
    /// Multiplier for matches in the headline. Default: 3.
    public var titleWeight: Double
    /// Multiplier for matches in the lead paragraph. Default: 2.
    public var leadWeight: Double
    /// Multiplier for matches in the first body paragraph. Default: 1.
    public var bodyWeight: Double
    /// Factor applied per further body paragraph. Default: 0.93.
    public var bodyDecay: Double
    /// The smallest multiplier a body paragraph decays to. Default: 0.5.
    public var bodyFloor: Double
    /// Noise floor per zone: a segment's summed votes for a label below this count for nothing, and the floor
    /// is subtracted from larger sums (a passing mention does not earn a label). Default: 0 for every zone.
    public var floors: [Zone: Double]
    /// The n-th repeat (n = 0, 1, …) of a term counts `repeatDecay^n` of its weight. Default: 0.6.
    public var repeatDecay: Double
    /// Raw context score at which a context domain becomes active. Default: 4.
    public var contextThreshold: Double
    /// Multiplier for entries suppressed by an active context domain. Default: 0.15.
    public var contextFactor: Double
    /// A domain suppresses a label's entries only when its raw score is at least this fraction of the label's
    /// raw score. Default: 0.5.
    public var contextDominance: Double

    /// Context domains that, when active and dominant, suppress every label entry (`context.global.<domain>`).
    /// Default: none.
    public var globalContexts: Set<String>
    /// A label is assigned only if its raw score is at least this fraction of the strongest label's raw score.
    /// Default: 0 (no constraint).
    public var secondaryRatio: Double

    /// Diplomacy vote per distinct state beyond the first named in one zone segment. Default: 0 (rule off).
    public var stateWeight: Double
    /// At most this many extra states per segment count. Default: 2.
    public var stateMax: Double
    /// At most this many pieces of evidence (the strongest) are recorded per article; the scores always use all
    /// matches. Default: 12.
    public var maxEvidence: Int

    /// Creates parameters; every argument defaults to the documented default.
    public init(
        declaredVersion: String = "0",
        thresholds: [Label: Double] = [.politics: 0.5, .security: 0.5, .diplomacy: 0.5],
        languageThresholds: [Language: [Label: Double]] = [:],
        scales: [Label: Double] = [.politics: 6, .security: 6, .diplomacy: 6],
        titleWeight: Double = 3,
        leadWeight: Double = 2,
        bodyWeight: Double = 1,
        bodyDecay: Double = 0.93,
        bodyFloor: Double = 0.5,
        floors: [Zone: Double] = [.title: 0, .lead: 0, .body: 0],
        repeatDecay: Double = 0.6,
        contextThreshold: Double = 4,
        contextFactor: Double = 0.15,
        contextDominance: Double = 0.5,
        globalContexts: Set<String> = [],
        secondaryRatio: Double = 0,
        stateWeight: Double = 0,
        stateMax: Double = 2,
        maxEvidence: Int = 12
    ) {
        self.declaredVersion = declaredVersion
        self.thresholds = thresholds
        self.languageThresholds = languageThresholds
        self.scales = scales
        self.titleWeight = titleWeight
        self.leadWeight = leadWeight
        self.bodyWeight = bodyWeight
        self.bodyDecay = bodyDecay
        self.bodyFloor = bodyFloor
        self.floors = floors
        self.repeatDecay = repeatDecay
        self.contextThreshold = contextThreshold
        self.contextFactor = contextFactor
        self.contextDominance = contextDominance
        self.globalContexts = globalContexts
        self.secondaryRatio = secondaryRatio
        self.stateWeight = stateWeight
        self.stateMax = stateMax
        self.maxEvidence = maxEvidence
    }

    /// The thresholds that apply to an article in `language`.
    public func thresholds(for language: Language) -> [Label: Double] {
        thresholds.merging(languageThresholds[language] ?? [:]) { _, override in override }
    }

    /// The noise floor of `zone`.
    public func floor(for zone: Zone) -> Double {
        floors[zone] ?? 0
    }

    /// The parameters as `key → value` pairs, in the `model.tsv` vocabulary (stored in the database).
    public var keyValues: [(String, String)] {
        var pairs: [(String, String)] = [("version", declaredVersion)]
        for label in Label.allCases {
            pairs.append(("threshold.\(label.rawValue)", "\(thresholds[label] ?? 0.5)"))
            pairs.append(("scale.\(label.rawValue)", "\(scales[label] ?? 6)"))
        }
        for language in Language.allCases {
            for label in Label.allCases {
                if let value = languageThresholds[language]?[label] {
                    pairs.append(("threshold.\(language.rawValue).\(label.rawValue)", "\(value)"))
                }
            }
        }
        pairs += [
            ("zone.title", "\(titleWeight)"), ("zone.lead", "\(leadWeight)"), ("zone.body", "\(bodyWeight)"),
            ("zone.body.decay", "\(bodyDecay)"), ("zone.body.floor", "\(bodyFloor)"),
            ("floor.title", "\(floor(for: .title))"), ("floor.lead", "\(floor(for: .lead))"),
            ("floor.body", "\(floor(for: .body))"), ("repeat.decay", "\(repeatDecay)"),
            ("context.threshold", "\(contextThreshold)"),
            ("context.factor", "\(contextFactor)"), ("context.dominance", "\(contextDominance)"),
            ("secondary.ratio", "\(secondaryRatio)"), ("states.weight", "\(stateWeight)"),
            ("states.max", "\(stateMax)"), ("evidence.max", "\(maxEvidence)"),
        ]
        pairs += globalContexts.sorted().map { ("context.global.\($0)", "1") }
        return pairs
    }

    /// Parses `model.tsv` text (`key<TAB>value` lines).
    public static func parse(_ text: String, file: String = "model.tsv") throws(AnalysisError) -> ModelParameters {
        var pairs: [(String, String)] = []
        for (line, fields) in try LexiconSource.rows(text, file: file) {
            guard fields.count == 2 else {
                throw AnalysisError(.lexiconSyntax, "\(file):\(line): expected key, value")
            }
            pairs.append((fields[0], fields[1]))
        }
        return try ModelParameters(keyValues: pairs, file: file)
    }

    /// Builds parameters from `key → value` pairs (the inverse of ``keyValues``); unknown keys are errors.
    public init(keyValues: [(String, String)], file: String = "model") throws(AnalysisError) {
        self.init()
        for (key, value) in keyValues {
            if key == "version" {
                declaredVersion = value
                continue
            }
            guard let number = Double(value), number.isFinite, number >= 0 else {
                throw AnalysisError(.lexiconSyntax, "\(file): \(key) = \(value) is not a non-negative number")
            }
            let parts = key.split(separator: ".").map(String.init)
            switch (parts.first, parts.count) {
            case ("threshold", 2):
                thresholds[try Self.label(parts[1], key: key, file: file)] = number
            case ("threshold", 3):
                guard let language = Language(rawValue: parts[1]) else {
                    throw AnalysisError(.lexiconSyntax, "\(file): unknown language in \(key)")
                }
                languageThresholds[language, default: [:]][try Self.label(parts[2], key: key, file: file)] = number
            case ("context", 3) where parts[1] == "global":
                if number > 0 { globalContexts.insert(parts[2]) } else { globalContexts.remove(parts[2]) }
            case ("scale", 2):
                guard number > 0 else { throw AnalysisError(.lexiconSyntax, "\(file): \(key) must be > 0") }
                scales[try Self.label(parts[1], key: key, file: file)] = number
            default:
                switch key {
                case "zone.title": titleWeight = number
                case "zone.lead": leadWeight = number
                case "zone.body": bodyWeight = number
                case "zone.body.decay": bodyDecay = number
                case "zone.body.floor": bodyFloor = number
                case "floor.title": floors[.title] = number
                case "floor.lead": floors[.lead] = number
                case "floor.body": floors[.body] = number
                case "repeat.decay": repeatDecay = number
                case "context.threshold": contextThreshold = number
                case "context.factor": contextFactor = number
                case "context.dominance": contextDominance = number
                case "secondary.ratio": secondaryRatio = number
                case "states.weight": stateWeight = number
                case "states.max": stateMax = number
                case "evidence.max":
                    guard number >= 1, number <= 10_000, number == number.rounded() else {
                        throw AnalysisError(.lexiconSyntax, "\(file): \(key) must be a whole number ≥ 1")
                    }
                    maxEvidence = Int(number)
                default: throw AnalysisError(.lexiconSyntax, "\(file): unknown key \(key)")
                }
            }
        }
    }

    private static func label(_ name: String, key: String, file: String) throws(AnalysisError) -> Label {
        guard let label = Label(rawValue: name) else {
            throw AnalysisError(.lexiconSyntax, "\(file): unknown label in \(key)")
        }
        return label
    }
}
