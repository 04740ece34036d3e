import AsyncHTTPClient
import NIOCore
import NIOSSL
import Synchronization
import Timekeeping

/// The dispatcher's HTTP clients, one per (host, address) it connects to, so that a delivery goes
/// to exactly the address `WebhookPolicy.target` checked and the client never resolves the host
/// itself (a second lookup is the DNS-rebinding hole: the name could answer an allowed address to
/// the check and another one to the connect).
///
/// AsyncHTTPClient 1.37 pins a host to an address only client-wide
/// (`HTTPClient.Configuration.dnsOverride`, no per-request hook), so each pair gets its client,
/// made with `[host: address]`: it connects to the address and keeps the URL's host for the Host
/// header, TLS SNI and the certificate check. A host that is an address literal needs no override.
/// Clients are kept for keep-alive across deliveries, at most `limit` of them: when a new one
/// would pass it, the least recently used idle ones are shut down.
final class WebhookClients: Sendable {
    /// Which host is pinned to which address.
    struct Key: Hashable, Sendable {
        var host: String
        var address: IPNetwork.Address
        var isLiteral: Bool

        /// What the client is made with: the host mapped to the address (none for a literal).
        var dnsOverride: [String: String] { isLiteral ? [:] : [host: address.text] }
    }

    private struct Entry {
        var client: HTTPClient
        var users: Int
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var tick: UInt64 = 0
    }

    private let state = Mutex(State())
    private let policy: WebhookPolicy
    private let limit: Int

    init(policy: WebhookPolicy, limit: Int = 64) {
        self.policy = policy
        self.limit = max(1, limit)
    }

    /// Runs `body` with the client pinned to `key`, made if there is none yet.
    func with<T: Sendable>(_ key: Key, _ body: (HTTPClient) async throws -> T) async throws -> T {
        let (client, evicted) = state.withLock { state -> (HTTPClient, [HTTPClient]) in
            state.tick += 1
            if var entry = state.entries[key] {
                entry.users += 1
                entry.lastUsed = state.tick
                state.entries[key] = entry
                return (entry.client, [])
            }
            var evicted: [HTTPClient] = []
            let idle = state.entries.filter { $0.value.users == 0 }.sorted { $0.value.lastUsed < $1.value.lastUsed }
            for (old, entry) in idle.prefix(max(0, state.entries.count + 1 - limit)) {
                state.entries[old] = nil
                evicted.append(entry.client)
            }
            let client = Self.makeClient(policy, dnsOverride: key.dnsOverride)
            state.entries[key] = Entry(client: client, users: 1, lastUsed: state.tick)
            return (client, evicted)
        }
        for old in evicted { try? await old.shutdown() }
        defer {
            state.withLock { state in
                guard var entry = state.entries[key], entry.client === client else { return }
                entry.users -= 1
                state.entries[key] = entry
            }
        }
        return try await body(client)
    }

    /// The pinned pairs there are clients for now: what tests read to see where deliveries went.
    var pinned: Set<Key> { state.withLock { Set($0.entries.keys) } }

    /// Shuts every client down (the end of the dispatcher's run).
    func shutdown() async {
        let clients = state.withLock { state -> [HTTPClient] in
            defer { state.entries = [:] }
            return state.entries.values.map(\.client)
        }
        for client in clients { try? await client.shutdown() }
    }

    private static func makeClient(_ policy: WebhookPolicy, dnsOverride: [String: String]) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        // A redirect could lead anywhere, past the allowed networks: never followed.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .nanoseconds(policy.timeout.nanoseconds))
        configuration.dnsOverride = dnsOverride
        // https receivers are verified against the system store and the configured CA, never not at all.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile = policy.caFile { tls.additionalTrustRoots = [.file(caFile)] }
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
