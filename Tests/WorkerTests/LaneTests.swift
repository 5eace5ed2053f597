import Foundation
import Synchronization
import Testing

@testable import Worker

@Suite struct LaneTests {
    /// Counts its live instances.
    final class Payload: Sendable {
        static let live = Atomic<Int>(0)
        init() { Self.live.add(1, ordering: .relaxed) }
        deinit { Self.live.subtract(1, ordering: .relaxed) }
    }

    /// A backlog drain never lets the queue run empty: each job handed out must be released at once, not
    /// kept in its slot until the queue is empty (that kept every message of a 100,000-message drain).
    @Test func handedOutJobsAreReleasedWhileTheQueueNeverEmpties() {
        let lane = Lane<Payload>()
        let total = 10_000
        for _ in 0..<total { lane.enqueue(Payload()) }
        let handled = Atomic<Int>(0)
        let worst = Mutex((excess: 0, slots: 0))
        let finished = DispatchSemaphore(value: 0)
        lane.start(name: "lane-test") { _ in
            let index = handled.add(1, ordering: .relaxed).newValue  // 1...total
            // Alive: the jobs still queued, and this one.
            let excess = Payload.live.load(ordering: .relaxed) - (total - index) - 1
            let slots = lane.storage.slots
            worst.withLock { $0 = (max($0.excess, excess), max($0.slots, slots)) }
            if index == total { finished.signal() }
        }
        finished.wait()
        lane.stop()
        let (excess, slots) = worst.withLock { $0 }
        #expect(excess <= 0, "handed-out jobs kept alive: \(excess)")
        #expect(slots <= total, "slots grew past what was queued: \(slots)")
        #expect(lane.storage == (queued: 0, slots: 0))
    }
}
