import Foundation
import Synchronization

/// An append-only file of JSON lines: how a session survives a crash. Each `append` is written
/// with one `write(2)` before it returns, so what was shown to the user is on file even if the
/// process dies right after. A torn last line (a crash mid-write) is skipped when read.
public final class Journal: Sendable {
    public let url: URL
    private let descriptor: Int32
    private let lock = Mutex(())

    /// Opens (creating) the journal for appending; its folder is created too.
    public init(url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ShellError("cannot write the session journal \(url.path): \(String(cString: strerror(errno)))") }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Appends one event as a line.
    public func append<T: Encodable>(_ event: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(event)
        line.append(0x0A)
        try lock.withLock { _ in
            let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == line.count else {
                throw ShellError("cannot append to the session journal \(url.path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Every complete event of a journal, in order.
    public static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> [T] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ShellError("no session journal at \(url.path)")
        }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(T.self, from: Data($0)) }
    }
}
