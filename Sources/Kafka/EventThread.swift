import Dispatch
import Foundation
import Synchronization

/// A dedicated OS thread (never a cooperative-pool thread) that runs `iteration` until stopped.
///
/// `iteration` must return regularly (it polls a librdkafka queue with a short timeout) so that `stop()`
/// takes effect within one iteration.
final class EventThread: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, iteration: @escaping @Sendable () -> Void) {
        // The thread keeps `self` alive until it stops.
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .acquiring) {
                iteration()
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the thread to stop and waits until its current iteration returned. Idempotent.
    /// Must not be called from `iteration` itself (it would wait for itself).
    func stop() {
        let (exchanged, _) = stopRequested.compareExchange(
            expected: false, desired: true, ordering: .acquiringAndReleasing)
        if exchanged {
            finished.wait()
        }
    }
}
