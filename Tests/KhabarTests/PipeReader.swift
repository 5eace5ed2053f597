import Foundation
import Synchronization

/// Reads a child process's pipe to its end on a thread of its own.
///
/// Not `FileHandle.readabilityHandler`: on Linux that installs a libdispatch read source, and libdispatch
/// corrupts its epoll bookkeeping when such sources are set up and torn down from several threads at once
/// (swift-corelibs-libdispatch#949). Tests run in parallel and start several children, and CI's test
/// process crashed in libdispatch's manager thread (`_dispatch_event_loop_drain`) that way. A blocking
/// `read(2)` involves no dispatch source at all.
///
/// `Tests/KafkaTests/PipeReader.swift` is a symbolic link to this file.
enum PipeReader {
    /// Starts a thread that hands every chunk read from `handle` to `consume`, and ends at end of file
    /// (the child exited and closed its end) or on a read error.
    ///
    /// The thread holds `handle`, so the descriptor stays open until the thread ends.
    static func start(_ handle: FileHandle, consume: @escaping @Sendable ([UInt8]) -> Void) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    consume(Array(buffer[..<count]))
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.start()
    }
}

/// Collects a child's output into lines, from its ``PipeReader`` thread.
final class LineCollector: Sendable {
    private let state = Mutex<(pending: [UInt8], lines: [String])>(([], []))

    /// Appends a chunk; a line (or a UTF-8 sequence) split across chunks is joined first.
    func append(_ chunk: [UInt8]) {
        state.withLock { state in
            state.pending.append(contentsOf: chunk)
            var start = 0
            while let newline = state.pending[start...].firstIndex(of: 0x0A) {
                state.lines.append(String(decoding: state.pending[start..<newline], as: UTF8.self))
                start = newline + 1
            }
            state.pending.removeFirst(start)
        }
    }

    /// The first complete line, if any.
    var first: String? { state.withLock { $0.lines.first } }

    /// Every complete line so far.
    var all: [String] { state.withLock { $0.lines } }
}
