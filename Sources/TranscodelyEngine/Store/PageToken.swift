import Crypto
import Foundation
import TranscodelyAPI

/// Where the next page of a List starts: after (updated_at, id) of the last job given, for one
/// query. A token shown to another query is `out_of_range`; a token that is not ours is
/// `invalid_argument`. The same for every store, so a token survives a change of store.
public struct PageToken: Sendable {
    /// The last job given: its `updated_at` (microseconds) and id; the next page starts after them.
    public var updatedAt: Int64
    public var id: String
    var queryTag: String

    /// The token of the page that ended with `job`.
    public init(after job: Job, for query: ListJobsRequest) {
        updatedAt = job.updatedAt.microseconds
        id = job.id
        queryTag = Self.tag(query)
    }

    /// Reads a `page_token` a client sent with `query`.
    public init(decoding text: String, for query: ListJobsRequest) throws(ConnectError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else {
            throw .invalidArgument("page_token: not a token this server issued; pass next_page_token unchanged")
        }
        let parts = String(decoding: data, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, let stamp = Int64(parts[0]), parts[1].hasPrefix("job_") else {
            throw .invalidArgument("page_token: not a token this server issued; pass next_page_token unchanged")
        }
        updatedAt = stamp
        id = String(parts[1])
        queryTag = String(parts[2])
        guard queryTag == Self.tag(query) else {
            throw ConnectError(.outOfRange, "page_token: it belongs to a different query (status, metadata or updated_since changed); start again without a page_token")
        }
    }

    /// The token as `next_page_token` carries it.
    public var encoded: String {
        Data("\(updatedAt) \(id) \(queryTag)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A short digest of what the query selects (not its page size, which may change between pages).
    static func tag(_ query: ListJobsRequest) -> String {
        var text = query.status.map(\.rawValue).sorted().joined(separator: ",")
        text += "|" + query.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}")
        text += "|" + (query.updatedSince.map { String($0.microseconds) } ?? "")
        return SHA256.hash(data: Data(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
