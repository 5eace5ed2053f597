/// Tracks the offsets of one input partition that are in flight and finds the highest offset that
/// may be stored for commit.
///
/// Messages of a partition are registered in offset order as they are dispatched; they may finish
/// (their output or dead-letter record acknowledged) in any order. Only the contiguous prefix of
/// finished offsets may be committed: committing past an unfinished message would lose it on a crash.
/// Not thread-safe: ``OffsetLedger`` guards it.
struct PartitionProgress: Sendable {
    /// Offsets registered and not yet committed past, in dispatch (= offset) order, with a finished flag.
    private var window: [(offset: Int64, finished: Bool)] = []
    /// Index of the first live entry of `window`; entries before it are already released.
    private var head = 0

    /// How many registered messages have not finished yet.
    private(set) var unfinished = 0

    /// Registers a dispatched message. Offsets must increase.
    mutating func register(offset: Int64) {
        precondition(window.last.map { $0.offset < offset } ?? true, "offsets of a partition must increase")
        window.append((offset, false))
        unfinished += 1
    }

    /// Marks a message finished and returns the next offset to store (last contiguous finished + 1)
    /// when the contiguous prefix advanced, else `nil`.
    mutating func finish(offset: Int64) -> Int64? {
        guard let index = indexOf(offset), !window[index].finished else { return nil }
        window[index].finished = true
        unfinished -= 1
        var advancedTo: Int64?
        while head < window.count, window[head].finished {
            advancedTo = window[head].offset + 1
            head += 1
        }
        if head > 1024, head * 2 > window.count {
            window.removeFirst(head)
            head = 0
        }
        return advancedTo
    }

    private func indexOf(_ offset: Int64) -> Int? {
        // Binary search over the live part: offsets are strictly increasing.
        var low = head
        var high = window.count
        while low < high {
            let mid = (low + high) / 2
            if window[mid].offset < offset { low = mid + 1 } else { high = mid }
        }
        return low < window.count && window[low].offset == offset ? low : nil
    }
}
