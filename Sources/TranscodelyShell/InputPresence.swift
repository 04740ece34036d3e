import TranscodelyAPI
import TranscodelyClient

/// Which of some inputs exist now, asked with one `OriginService/ListFiles` per folder (origin and
/// directory prefix, paging through until all of the folder's are found), never one request per
/// job: what `retry-failed` checks before it resends jobs that failed `input_not_found`.
enum InputPresence {
    /// One input: its origin and path.
    struct Input: Hashable, Sendable {
        var origin: String
        var path: String
    }

    /// The inputs of `wanted` that exist now; a listing that fails throws its error.
    static func existing(_ wanted: Set<Input>, in origins: any OriginServiceClient) async throws(ClientError) -> Set<Input> {
        let folders = Dictionary(grouping: wanted) { Input(origin: $0.origin, path: folder(of: $0.path)) }
        var found: Set<Input> = []
        for (folder, inputs) in folders.sorted(by: { ($0.key.origin, $0.key.path) < ($1.key.origin, $1.key.path) }) {
            let paths = Set(inputs.map(\.path))
            var token = ""
            repeat {
                let page = try await origins.listFiles(ListFilesRequest(originID: folder.origin, prefix: folder.path,
                                                                        pageSize: 1000, pageToken: token))
                for file in page.files where paths.contains(file.path) { found.insert(Input(origin: folder.origin, path: file.path)) }
                token = page.nextPageToken
            } while !token.isEmpty && !paths.allSatisfy { found.contains(Input(origin: folder.origin, path: $0)) }
        }
        return found
    }

    /// The folder a path is in, as a ListFiles prefix: `a/b/c.mp4` → `a/b/`, `c.mp4` → ``.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }
}
