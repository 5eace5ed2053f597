/// The fingerprint of one article, as published on the `articles.fingerprints` topic.
public struct FingerprintEntry: Sendable, Hashable {
    /// The article id.
    public var id: String
    /// Hash of the normalised text: equal values mean exact duplicates.
    public var exact: UInt64
    /// 64-bit SimHash of the text: a small Hamming distance means near duplicates.
    public var simhash: UInt64
    /// When the article was first published, in milliseconds since the epoch; the earliest article of a
    /// group of duplicates is the original.
    public var seenAt: Int64

    /// Creates an entry.
    public init(id: String, exact: UInt64, simhash: UInt64, seenAt: Int64) {
        self.id = id
        self.exact = exact
        self.simhash = simhash
        self.seenAt = seenAt
    }
}

/// How a ``FingerprintIndex`` stores, bounds and matches fingerprints.
public struct FingerprintIndexConfiguration: Sendable {
    /// The SQLite file that keeps the index across restarts (with its `-wal` and `-shm` companions);
    /// `nil` keeps it in memory only. Default: `nil`.
    public var path: String?
    /// The most entries kept; beyond it the oldest (by `seenAt`) are evicted. In `1...(1 << 30)`. Memory is
    /// about 250–300 bytes per entry with 40-byte ids (1M entries ≈ 280 MB). Default: `1_000_000`.
    public var maxEntries: Int
    /// Entries older than this, relative to the newest `seenAt` seen (or the clock passed to
    /// ``FingerprintIndex/evict(now:)`` when later), are evicted. Must not be negative. Default: 7 days.
    public var maxAge: Duration
    /// Two SimHashes at most this many bits apart are near duplicates, in `0...63`. The index splits
    /// the 64 bits into `maxHammingDistance + 1` bands, so small values are the fastest. Default: `3`.
    public var maxHammingDistance: Int
    /// The shortest time between two writes of the file. Memory applies every insert and eviction at
    /// once; the file gets them, with the tail offsets that cover them, in one transaction once this much
    /// time has passed since the last write (or at ``FingerprintIndex/flush()``, which also runs when the index
    /// is released). Ids are random, so a transaction touches pages all over the file and costs about as much
    /// for 15,000 entries as for 3,000. A restart resumes from the last transaction and reads the rest of the
    /// topic again. Must not be negative. Default: `.zero` (every insert writes).
    public var writeInterval: Duration

    /// Creates a configuration; every parameter defaults to the documented default.
    public init(
        path: String? = nil,
        maxEntries: Int = 1_000_000,
        maxAge: Duration = .seconds(7 * 24 * 3600),
        maxHammingDistance: Int = 3,
        writeInterval: Duration = .zero
    ) {
        self.path = path
        self.maxEntries = maxEntries
        self.maxAge = maxAge
        self.maxHammingDistance = maxHammingDistance
        self.writeInterval = writeInterval
    }
}
