import SQLite
import Synchronization

/// The fleet-wide near-duplicate table: every article's fingerprint, from the compacted
/// `articles.fingerprints` topic, answering "was a (near-)identical article seen before?".
///
/// Lookups run against an in-memory index (exact hash map plus SimHash LSH bands, see
/// ``FingerprintIndexConfiguration/maxHammingDistance``); the optional SQLite file is its durable copy,
/// loaded at open and written in one transaction (per batch, or per
/// ``FingerprintIndexConfiguration/writeInterval``) together with the tail offsets it covers, so a restart
/// resumes the tail exactly where the file ends. Entries added with ``admit(_:)`` (a worker's
/// own articles) go to memory first and reach the file with the batch that brings them back from the
/// topic. The table is bounded by ``FingerprintIndexConfiguration/maxEntries`` and
/// ``FingerprintIndexConfiguration/maxAge``.
///
/// Thread safety: all methods may be called from any thread. The in-memory index sits behind one lock,
/// held only for the in-memory work (lookups take it for microseconds); writers also hold a second
/// lock, taken first, across their SQLite transaction, so the file sees the batches in the order the
/// memory applied them while lookups never wait for disk.
///
/// A write that fails (disk full, I/O error) leaves the file at its last complete transaction and stops
/// further writes, so the entries and offsets in it stay consistent; the index keeps answering from
/// memory, and ``lastPersistenceError`` tells why. The next open resumes from the file; a file found
/// corrupt while writing is deleted at once, so the next open starts over from the topic.
public final class FingerprintIndex: Sendable {
    /// The configuration the index was opened with.
    public let configuration: FingerprintIndexConfiguration
    /// Whether the file was corrupt, not a database or of another schema version, and so was deleted
    /// and recreated empty: the caller must replay the whole fingerprint topic.
    public let wasRebuilt: Bool

    private let memory: Mutex<Memory>
    private let persistence: Mutex<Persistence>

    /// The in-memory side: the table, and what of it the file still lacks.
    private struct Memory {
        /// Entries added by ``admit(_:)`` and not written to the file since are marked unwritten (only with a
        /// file): their evictions are not deletions for the file.
        var table: FingerprintTable
        /// Ids ``admit(_:)`` evicted that the file may hold, to delete at the next write. At most the
        /// file's rows: ids never written are not kept here.
        var pendingDeletions: [String] = []
    }

    /// The SQLite side, guarded by its own lock (always taken before the table's).
    private struct Persistence {
        var store: FingerprintStore?
        var tailOffsets: [Int32: Int64]
        var lastError: WorkerError?
        /// What memory applied and the file still lacks, in the order it was applied (see
        /// ``FingerprintIndexConfiguration/writeInterval``), and the tail offsets that cover it.
        var pendingChanges = FingerprintStore.Changes()
        var lastWrite = ContinuousClock.now
    }

    /// Opens (or creates) the index described by `configuration` and loads its file into memory.
    ///
    /// A file that is corrupt, not an SQLite database, or of another schema version is deleted and
    /// recreated empty (``wasRebuilt`` is then `true`). Throws ``WorkerError/Code/setup`` for an invalid
    /// configuration or a file that cannot be opened or created (missing directory, no permission).
    public init(configuration: FingerprintIndexConfiguration) throws(WorkerError) {
        guard (1...(1 << 30)).contains(configuration.maxEntries) else {
            throw WorkerError(code: .setup, message: "fingerprint index: maxEntries must be in 1...2^30")
        }
        guard (0...63).contains(configuration.maxHammingDistance) else {
            throw WorkerError(code: .setup, message: "fingerprint index: maxHammingDistance must be in 0...63")
        }
        guard configuration.maxAge >= .zero else {
            throw WorkerError(code: .setup, message: "fingerprint index: maxAge must not be negative")
        }
        guard configuration.writeInterval >= .zero else {
            throw WorkerError(code: .setup, message: "fingerprint index: writeInterval must not be negative")
        }
        var table = FingerprintTable(maxHammingDistance: configuration.maxHammingDistance)
        var persistence = Persistence(store: nil, tailOffsets: [:], lastError: nil)
        var rebuilt = false
        if let path = configuration.path {
            var loaded: (FingerprintTable, Persistence)?
            do {
                loaded = try Self.load(path: path, configuration: configuration)
            } catch  where error.isCorruption {
                loaded = nil
            } catch {
                throw WorkerError(code: .setup, message: "fingerprint index: cannot open \(path): \(error)")
            }
            if loaded == nil {
                rebuilt = true
                do {
                    try FingerprintStore.removeFiles(at: path)
                    loaded = try Self.load(path: path, configuration: configuration)
                } catch {
                    throw WorkerError(code: .setup, message: "fingerprint index: cannot recreate \(path): \(error)")
                }
            }
            guard let loaded else {
                throw WorkerError(code: .setup, message: "fingerprint index: \(path) changed while being recreated")
            }
            (table, persistence) = loaded
        }
        self.configuration = configuration
        self.wasRebuilt = rebuilt
        self.memory = Mutex(Memory(table: table))
        self.persistence = Mutex(persistence)
    }

    /// Opens the file at `path`, loads it and applies the bounds to it; `nil` when it holds another schema.
    private static func load(
        path: String,
        configuration: FingerprintIndexConfiguration
    ) throws(SQLiteError) -> (FingerprintTable, Persistence)? {
        guard let store = try FingerprintStore.open(path: path) else { return nil }
        var table = FingerprintTable(maxHammingDistance: configuration.maxHammingDistance)
        try store.forEachEntry { _ = table.upsert($0) }
        let tailOffsets = try store.tailOffsets()
        let evicted = table.evict(
            olderThan: cutoff(reference: table.newestSeenAt, maxAge: configuration.maxAge),
            maxEntries: configuration.maxEntries
        )
        try store.write(FingerprintStore.Changes(upserts: [], deletions: evicted, tailOffsets: [:]))
        return (table, Persistence(store: store, tailOffsets: tailOffsets, lastError: nil))
    }

    /// The number of entries.
    public var count: Int { memory.withLock { $0.table.count } }

    /// The most recent failure to write the file, after which the index stopped writing it; `nil`
    /// while every write succeeded (and always for a memory-only index).
    public var lastPersistenceError: WorkerError? { persistence.withLock { $0.lastError } }

    /// The entry stored under `id`.
    public func entry(id: String) -> FingerprintEntry? {
        memory.withLock { $0.table.entry(id: id) }
    }

    /// The earliest *other* article (id != entry.id) that is an exact duplicate or within the Hamming
    /// threshold and was seen no later than the given entry; nil if none.
    ///
    /// Articles are ordered by `(seenAt, id)`, so of two articles seen in the same millisecond the one with
    /// the smaller id is the original and the other its duplicate, never both each other's. When the
    /// index already holds `entry.id` with an earlier `seenAt`, that earlier time counts, so a redelivered
    /// article gets the same answer as the first time.
    public func duplicate(of entry: FingerprintEntry) -> FingerprintEntry? {
        memory.withLock { $0.table.duplicate(of: entry) }
    }

    /// Adds `entry`. Idempotent per id: an id already present keeps the entry with the earliest `seenAt`.
    public func insert(_ entry: FingerprintEntry) {
        insert(contentsOf: [entry], tailOffsets: [:])
    }

    /// Adds `entries` (see ``insert(_:)``) in one SQLite transaction, then evicts.
    public func insert(contentsOf entries: [FingerprintEntry]) {
        insert(contentsOf: entries, tailOffsets: [:])
    }

    /// Tail positions of the fingerprint topic, persisted in the same database in the same transaction
    /// as the entries they cover, so a restart resumes the tail exactly: the value last stored per
    /// partition by ``insert(contentsOf:tailOffsets:)``. Empty for a new or rebuilt file (tail the topic
    /// from the beginning).
    public func tailOffsets() -> [Int32: Int64] {
        persistence.withLock { $0.tailOffsets }
    }

    /// Adds `entries` (see ``insert(_:)``), evicts, and records `tailOffsets` (partition → position, as
    /// the caller defines it, typically the next offset to read) for the partitions given, all in one
    /// SQLite transaction. The transaction also writes what ``admit(_:)`` left to the file: the entries
    /// among `entries` it added to memory, and the deletions of those it evicted. With a
    /// ``FingerprintIndexConfiguration/writeInterval``, memory changes at once and the transaction may
    /// wait (see there).
    public func insert(contentsOf entries: [FingerprintEntry], tailOffsets: [Int32: Int64]) {
        persistence.withLock { persistence in
            let (upserts, deletions) = memory.withLock { memory in
                var upserts: [FingerprintEntry] = []
                for entry in entries {
                    // What memory holds now: an admitted entry seen earlier than `entry` stays.
                    if let stored = memory.table.upsertWritten(entry) { upserts.append(stored) }
                }
                let evicted = evict(&memory, reference: memory.table.newestSeenAt)
                return (upserts, takePendingDeletions(&memory) + evicted)
            }
            persistence.tailOffsets.merge(tailOffsets) { _, new in new }
            write(&persistence, upserts: upserts, deletions: deletions, tailOffsets: tailOffsets)
        }
    }

    /// The earliest other article `entry` duplicates (see ``duplicate(of:)``), after which `entry` is
    /// added (see ``insert(_:)``) to memory only, in the same step, and the table evicts: of two articles
    /// admitted one after the other, the later one is always compared with the earlier. The file gets
    /// `entry` from the ``insert(contentsOf:tailOffsets:)`` call that delivers it from the fingerprint
    /// topic, in the transaction that also stores the tail offset covering it.
    ///
    /// For the worker's own articles, whose fingerprints it publishes: their lookups must see them at
    /// once, but a disk transaction per article would run on the analysis thread, under the lock that
    /// serialises writers (SQLite in WAL mode: ~20 µs of CPU a transaction, a quarter of an article's
    /// analysis). An entry whose publication fails never reaches the file; a restart then forgets it,
    /// as every other worker already does.
    public func admit(_ entry: FingerprintEntry) -> FingerprintEntry? {
        memory.withLock { memory in
            let duplicate = memory.table.duplicate(of: entry)
            guard memory.table.upsert(entry, unwritten: configuration.path != nil) else { return duplicate }
            let evicted = evict(&memory, reference: memory.table.newestSeenAt)
            if configuration.path != nil { memory.pendingDeletions += evicted }
            return duplicate
        }
    }

    /// Applies ``FingerprintIndexConfiguration/maxAge`` relative to the later of `now` (ms since the
    /// epoch) and the newest `seenAt` seen, then ``FingerprintIndexConfiguration/maxEntries``, evicting the
    /// oldest entries first. Inserts call it with the newest `seenAt`; call it with the clock to age out
    /// entries while the topic is quiet.
    public func evict(now: Int64) {
        persistence.withLock { persistence in
            let deletions = memory.withLock { memory in
                let evicted = evict(&memory, reference: max(now, memory.table.newestSeenAt))
                return takePendingDeletions(&memory) + evicted
            }
            write(&persistence, upserts: [], deletions: deletions, tailOffsets: [:])
        }
    }

    /// Writes to the file what memory applied since the last write (see
    /// ``FingerprintIndexConfiguration/writeInterval``), now. Releasing the index does it too; call it to
    /// choose when (and on which thread) the transaction runs.
    public func flush() {
        persistence.withLock { persistence in
            write(&persistence, upserts: [], deletions: [], tailOffsets: [:], now: true)
        }
    }

    /// Writes what is still queued for the file, as ``flush()`` does: a deferred write is not lost with the
    /// index (a crash still loses it, and the tail reads it again from the topic).
    deinit {
        flush()
    }

    /// Evicts from the table by the configured bounds; returns the ids evicted that the file may hold
    /// (those added by ``admit(_:)`` and not written since, marked unwritten, never reached it, unless they
    /// replaced a later sighting of the same id that had).
    private func evict(_ memory: inout Memory, reference: Int64) -> [String] {
        memory.table.evict(
            olderThan: Self.cutoff(reference: reference, maxAge: configuration.maxAge),
            maxEntries: configuration.maxEntries
        )
    }

    /// The ids ``admit(_:)`` evicted that memory has not taken back since, to delete from the file.
    private func takePendingDeletions(_ memory: inout Memory) -> [String] {
        guard !memory.pendingDeletions.isEmpty else { return [] }
        defer { memory.pendingDeletions.removeAll() }
        return memory.pendingDeletions.filter { memory.table.entry(id: $0) == nil }
    }

    /// `reference - maxAge`, saturating at `Int64.min` (no entry is older).
    private static func cutoff(reference: Int64, maxAge: Duration) -> Int64 {
        let (cutoff, overflow) = reference.subtractingReportingOverflow(maxAge.milliseconds)
        return overflow ? Int64.min : cutoff
    }

    /// Queues the changes for the file and writes everything queued when `now` is set or
    /// ``FingerprintIndexConfiguration/writeInterval`` has passed since the last write.
    private func write(
        _ persistence: inout Persistence,
        upserts: [FingerprintEntry],
        deletions: [String],
        tailOffsets: [Int32: Int64],
        now: Bool = false
    ) {
        guard let store = persistence.store, let path = configuration.path else { return }
        persistence.pendingChanges.append(upserts: upserts, deletions: deletions, tailOffsets: tailOffsets)
        let clock = ContinuousClock.now
        guard now || persistence.lastWrite.duration(to: clock) >= configuration.writeInterval else { return }
        let changes = persistence.pendingChanges
        persistence.pendingChanges = FingerprintStore.Changes()
        persistence.lastWrite = clock
        do {
            try store.write(changes)
        } catch {
            persistence.store = nil  // closes the connection
            var message = "fingerprint index: writing \(path) failed, continuing in memory: \(error)"
            if error.isCorruption {
                // A damaged file must not be trusted at the next start: without it, the tail starts over.
                do {
                    try FingerprintStore.removeFiles(at: path)
                    message += "; the file was deleted"
                } catch {
                    message += "; deleting it failed too: \(error)"
                }
            }
            persistence.lastError = WorkerError(code: .stateStore, message: message)
        }
    }
}

extension WorkerError.Code {
    /// Writing the local state database (the fingerprint index's SQLite file) failed; the worker keeps
    /// running from memory and resumes from the file's last complete transaction after a restart.
    public static let stateStore = WorkerError.Code(rawValue: "state_store")
}
