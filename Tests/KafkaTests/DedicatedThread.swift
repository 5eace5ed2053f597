import Foundation

/// Runs a blocking call (librdkafka, a child process's pipe) on a dedicated thread, never on the
/// cooperative pool, whose two threads here every other test shares.
///
/// `Tests/KhabarTests/DedicatedThread.swift` and `Tests/ArticleAnalysisTests/DedicatedThread.swift` are symbolic
/// links to this file.
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
