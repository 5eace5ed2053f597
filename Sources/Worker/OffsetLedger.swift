import Foundation

/// The worker's record of in-flight input messages, shared by the consumer thread (which registers
/// messages), the analysis lanes, and the producer's event thread (which finishes them when their
/// output or dead-letter record is acknowledged).
///
/// It bounds the number of messages in flight (back-pressure without buffering ahead of librdkafka)
/// and computes, per partition, the highest contiguous finished offset that may be stored for commit.
///
/// A registration that found the bound reached waits until the in-flight count fell to ``resumeBelow``
/// (one eighth under the bound), and `finish` wakes waiters only then or when someone waits for a drain:
/// waking the consumer thread for every finished message made it register one message per wake-up, two
/// context switches per message on a 2-core machine.
final class OffsetLedger: Sendable {
    private struct Key: Hashable {
        var topic: String
        var partition: Int32
    }

    private struct State {
        var partitions: [Key: PartitionProgress] = [:]
        var inFlight = 0
        /// Registrations waiting for the in-flight count to fall to `resumeBelow`.
        var roomWaiters = 0
        /// Threads in `waitUntilDrained`.
        var drainWaiters = 0
    }

    /// Guards `state` and signals the threads waiting on it.
    private let condition = NSCondition()
    /// `nonisolated(unsafe)` is sound: `state` is only read or written between `condition.lock()` and
    /// `condition.unlock()`, so no two threads ever touch it at once.
    nonisolated(unsafe) private var state = State()
    private let maxInFlight: Int
    /// The in-flight count at which a registration blocked by the bound resumes.
    let resumeBelow: Int

    /// Creates a ledger allowing at most `maxInFlight` unfinished messages at once.
    init(maxInFlight: Int) {
        precondition(maxInFlight > 0)
        self.maxInFlight = maxInFlight
        self.resumeBelow = maxInFlight - max(1, maxInFlight / 8)
    }

    /// The number of registered, unfinished messages.
    var inFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return state.inFlight
    }

    /// The number of registrations waiting for room.
    var blockedRegistrations: Int {
        condition.lock()
        defer { condition.unlock() }
        return state.roomWaiters
    }

    /// Registers a message about to be dispatched. When the in-flight bound is reached, first waits until
    /// the in-flight count fell to ``resumeBelow``. Returns `false` without registering when `shouldStop`
    /// turns true while waiting.
    func register(topic: String, partition: Int32, offset: Int64, shouldStop: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if state.inFlight >= maxInFlight {
            state.roomWaiters += 1
            defer { state.roomWaiters -= 1 }
            while state.inFlight > resumeBelow {
                if shouldStop() { return false }
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
            }
        }
        state.inFlight += 1
        state.partitions[Key(topic: topic, partition: partition), default: PartitionProgress()].register(offset: offset)
        return true
    }

    /// Marks a message finished. Returns the offset to store for commit when its partition's contiguous
    /// finished prefix advanced, `nil` otherwise (or when the partition was revoked meanwhile).
    func finish(topic: String, partition: Int32, offset: Int64) -> Int64? {
        condition.lock()
        defer {
            if state.drainWaiters > 0 || (state.roomWaiters > 0 && state.inFlight <= resumeBelow) {
                condition.broadcast()
            }
            condition.unlock()
        }
        // Mutated in place through the index: a copy taken out of the dictionary and written back copied the
        // partition's whole window (up to the in-flight bound) on every finish.
        guard let index = state.partitions.index(forKey: Key(topic: topic, partition: partition)) else { return nil }
        let before = state.partitions.values[index].unfinished
        let next = state.partitions.values[index].finish(offset: offset)
        if state.partitions.values[index].unfinished < before { state.inFlight -= 1 }
        return next
    }

    /// Waits until no message of the given partitions (all partitions when `nil`) is unfinished, or
    /// the deadline passes. Returns whether they drained.
    func waitUntilDrained(partitions: [(topic: String, partition: Int32)]? = nil, deadline: ContinuousClock.Instant)
        -> Bool
    {
        let keys = partitions.map { $0.map { Key(topic: $0.topic, partition: $0.partition) } }
        condition.lock()
        state.drainWaiters += 1
        defer {
            state.drainWaiters -= 1
            condition.unlock()
        }
        while true {
            let pending: Int
            if let keys {
                pending = keys.reduce(0) { $0 + (state.partitions[$1]?.unfinished ?? 0) }
            } else {
                pending = state.inFlight
            }
            if pending == 0 { return true }
            let now = ContinuousClock.now
            if now >= deadline { return false }
            let remaining = now.duration(to: deadline)
            let seconds = min(
                0.05, Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18)
            _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
        }
    }

    /// Forgets partitions that were revoked or lost: their unfinished messages no longer count against
    /// the in-flight bound, and finishing them later stores nothing.
    func remove(partitions: [(topic: String, partition: Int32)]) {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        for (topic, partition) in partitions {
            if let progress = state.partitions.removeValue(forKey: Key(topic: topic, partition: partition)) {
                state.inFlight -= progress.unfinished
            }
        }
    }
}
