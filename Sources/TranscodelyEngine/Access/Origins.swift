import Foundation
import TranscodelyAPI

/// The engine's origins, and the one place that turns a client's relative path into a file of an
/// origin: no absolute paths, no `..`, no symlink leading out of the origin.
public struct Origins: Sendable {
    public let all: [LocalOrigin]

    /// Checks that every folder exists, and resolves its symlinks once.
    public init(_ origins: [LocalOrigin]) throws(ConnectError) {
        var resolved: [LocalOrigin] = []
        for origin in origins {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: origin.root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .failedPrecondition("origin \(origin.id): folder \(origin.root.path) does not exist; create it or fix --origin")
            }
            var copy = origin
            copy.root = URL(fileURLWithPath: Self.realPath(origin.root.path) ?? origin.root.path)
            resolved.append(copy)
        }
        all = resolved
    }

    public func origin(_ id: String) -> LocalOrigin? { all.first { $0.id == id } }

    /// The origin a create names, or `failed_precondition` when there is none.
    func usable(_ id: String, field: String) throws(ConnectError) -> LocalOrigin {
        guard let origin = origin(id) else {
            throw .failedPrecondition("\(field): no origin \(id) on this engine; OriginService/List shows the origins (\(all.map(\.id).joined(separator: ", ")))")
        }
        return origin
    }

    /// The file `path` names inside `origin`, which need not exist yet.
    public func resolve(_ path: String, in origin: LocalOrigin, field: String = "input_path") throws(ConnectError) -> URL {
        guard !path.isEmpty else { throw .invalidArgument("\(field): is required") }
        guard !path.hasPrefix("/") else {
            throw .invalidArgument("\(field): \"\(path)\" is absolute; give a path relative to origin \(origin.id)")
        }
        guard !path.utf8.contains(0), !path.contains("\\") else {
            throw .invalidArgument("\(field): \"\(path)\" holds a NUL or backslash")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw .invalidArgument("\(field): \"\(path)\" may not contain . or .. components; paths stay inside origin \(origin.id)")
        }
        let url = origin.root.appendingPathComponent(parts.joined(separator: "/"))
        // Resolve symlinks of the deepest part that exists: it must still be inside the origin.
        var probe = url
        while !FileManager.default.fileExists(atPath: probe.path), probe.path.count > origin.root.path.count {
            probe.deleteLastPathComponent()
        }
        if let real = Self.realPath(probe.path), real != origin.root.path, !real.hasPrefix(origin.root.path + "/") {
            throw .invalidArgument("\(field): \"\(path)\" leads out of origin \(origin.id) through a symbolic link")
        }
        return url
    }

    /// A page of the files of an origin whose relative path starts with `prefix`, in path order.
    public func listFiles(_ request: ListFilesRequest) throws(ConnectError) -> ListFilesResponse {
        guard let origin = origin(request.originID) else {
            throw .notFound("no origin \(request.originID); OriginService/List shows the origins")
        }
        if request.prefix.hasPrefix("/") || request.prefix.split(separator: "/").contains("..") {
            throw .invalidArgument("prefix: \"\(request.prefix)\" must be relative to the origin, without ..")
        }
        let after = try request.pageToken.flatMap { $0.isEmpty ? nil : $0 }.map { token throws(ConnectError) in
            guard let data = Data(base64Encoded: token) else {
                throw ConnectError.invalidArgument("page_token: not a token this server issued; pass next_page_token unchanged")
            }
            return String(decoding: data, as: UTF8.self)
        }
        let size = request.pageSize ?? 100
        let rootPath = origin.root.path
        var files: [OriginFile] = []
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey, .isSymbolicLinkKey]
        let walker = FileManager.default.enumerator(at: origin.root, includingPropertiesForKeys: keys,
                                                    options: [.skipsHiddenFiles])
        while let url = walker?.nextObject() as? URL {
            let relative = String(url.standardizedFileURL.path.dropFirst(rootPath.count + 1))
            guard relative.hasPrefix(request.prefix), after.map({ relative > $0 }) ?? true,
                  let values = try? url.resourceValues(forKeys: Set(keys)) else { continue }
            if values.isSymbolicLink == true {
                // A link counts when it stays inside the origin and leads to a file.
                var isDirectory: ObjCBool = false
                guard (try? resolve(relative, in: origin)) != nil,
                      FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
                else { continue }
            } else if values.isRegularFile != true {
                continue
            }
            let modified = values.contentModificationDate?.timeIntervalSince1970 ?? 0
            files.append(OriginFile(path: relative, sizeBytes: Int64(values.fileSize ?? 0),
                                    modifiedAt: Timestamp(microseconds: Int64(modified * 1_000_000))))
        }
        files.sort { $0.path < $1.path }
        let page = Array(files.prefix(size))
        let next = files.count > size ? Data(page.last!.path.utf8).base64EncodedString() : ""
        return ListFilesResponse(files: page, nextPageToken: next)
    }

    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
