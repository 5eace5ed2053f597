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
    /// The running thread's identity, to detect calls made from `iteration` itself.
    private let threadID = Mutex<ObjectIdentifier?>(nil)
    /// Work to run on the thread after its last iteration (see ``finish(_:)``).
    private let exitWork = Mutex<(@Sendable () -> Void)?>(nil)

    /// Starts the thread. `name` (at most 15 bytes on Linux) names the OS thread, as seen by `top -H`/`gdb`.
    init(name: String, iteration: @escaping @Sendable () -> Void) {
        // The thread keeps `self` alive until it stops.
        let thread = Thread { [self] in
            threadID.withLock { $0 = ObjectIdentifier(Thread.current) }
            nameCurrentThread(name)
            while !stopRequested.load(ordering: .acquiring) {
                iteration()
            }
            exitWork.withLock { $0.take() }?()
            finished.signal()
        }
        thread.start()
    }

    /// Whether the caller runs on this thread (e.g. inside a delivery completion).
    var isCurrent: Bool {
        threadID.withLock { $0 == ObjectIdentifier(Thread.current) }
    }

    /// Asks the thread to stop and, unless called from the thread itself, waits until its current iteration
    /// returned. Idempotent.
    func stop() {
        let (exchanged, _) = stopRequested.compareExchange(
            expected: false,
            desired: true,
            ordering: .acquiringAndReleasing
        )
        if exchanged && !isCurrent {
            finished.wait()
        }
    }

    /// Runs `work` once the thread is done: at once when called from another thread (after ``stop()``),
    /// or after the current iteration when called from the thread itself, so that `work` may free what the
    /// iteration still uses.
    func finish(_ work: @escaping @Sendable () -> Void) {
        stop()
        if isCurrent {
            exitWork.withLock { $0 = work }
        } else {
            work()
        }
    }
}

/// Names the calling OS thread, as `top -H`, `perf` and `gdb` show it (at most 15 bytes on Linux; longer
/// names are cut by the kernel). Foundation's `Thread.name` does not reach the OS thread on Linux, so a
/// dedicated thread calls this first thing.
package func nameCurrentThread(_ name: String) {
    #if os(Linux)
        try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
    #endif
}
