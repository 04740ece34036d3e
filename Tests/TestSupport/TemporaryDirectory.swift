import Foundation

/// A folder under the system's temporary directory, for one test.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(_ name: String = "tcly-test") throws {
        url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Owner-only, as the engine wants its data directory (else it warns at start).
        _ = chmod(url.path, 0o700)
    }

    public var path: String { url.path }

    /// Writes a file (creating folders, owner-only like the folder itself, so that a data
    /// directory made this way is one the engine accepts without a warning) and returns its URL.
    @discardableResult
    public func write(_ relative: String, _ contents: String = "") throws -> URL {
        let file = url.appendingPathComponent(relative)
        var folder = url
        for component in relative.split(separator: "/").dropLast() {
            folder.appendPathComponent(String(component))
            if mkdir(folder.path, 0o700) != 0 && errno != EEXIST {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: folder.path])
            }
        }
        try Data(contents.utf8).write(to: file)
        return file
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
