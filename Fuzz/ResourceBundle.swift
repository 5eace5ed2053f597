// Stands in for the `Bundle.module` accessor that SwiftPM generates for targets with resources: outside
// SwiftPM the fuzz build points it at the directory holding `Resources/` (scripts/fuzz.sh sets
// KHABAR_RESOURCE_BUNDLE to Sources/ArticleAnalysis).
import Foundation

extension Foundation.Bundle {
    /// The directory holding the analyser's `Resources/` folder.
    static let module: Bundle = {
        guard let path = ProcessInfo.processInfo.environment["KHABAR_RESOURCE_BUNDLE"], let bundle = Bundle(path: path)
        else {
            fatalError("fuzz: set KHABAR_RESOURCE_BUNDLE to the directory holding Resources/ (Sources/ArticleAnalysis)")
        }
        return bundle
    }()
}
