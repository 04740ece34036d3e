import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Listening
import Logging
import NIOCore
import ServiceLifecycle
import ShellKit
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// A webhook receiver inside the shell (`listen`): an HTTP endpoint registered with the API whose
/// deliveries are checked — signature in constant time, timestamp within 5 minutes, each
/// `webhook-id` taken once — then applied to the session and handed to whoever watches.
///
/// The secret lives only in this object's memory: it is never printed, journaled or saved.
public final class WebhookListener: Sendable {
    /// What the listener has seen, for `listen` and tests.
    public struct Counts: Sendable, Hashable {
        public var accepted = 0
        public var duplicates = 0
        public var rejected = 0
        public var lastRejection: String?
    }

    /// The URL the API delivers to.
    public let url: String
    /// The endpoint's id at the API.
    public let webhookID: String
    public let port: Int
    /// The address it listens on.
    public let host: String
    private let key: SymmetricKey
    private let session: ShellSession
    /// What signatures' timestamps are checked against.
    private let clock: TimeSource
    private let webhooks: any WebhookServiceClient
    private let listening: ListeningGroup
    private let state = Mutex(State())

    private struct State {
        var counts = Counts()
        var recent = RecentIDs(capacity: 200_000)
        var subscribers: [UInt64: AsyncStream<Job>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
    }

    /// Starts listening on `host:port` (0: any free port), then registers `http://host:port/webhooks`
    /// (or `publicURL`) for every job event. Stops the server again if registering fails.
    public static func start(host: String, port: Int, publicURL: String?, session: ShellSession,
                             webhooks: any WebhookServiceClient, clock: TimeSource = .system) async throws -> WebhookListener {
        let inbox = Inbox()
        let router = Router()
        router.post("/webhooks") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4 << 20)
            return await inbox.receive(request.headers, Array(body.readableBytesView))
        }
        let logger = Logger(label: "tcly.listen", factory: { _ in SwiftLogNoOpLogHandler() })
        let listening: ListeningGroup
        do {
            listening = try await ListeningGroup.start(host: host, port: port, logger: logger) { onListening in
                [.init(service: Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
                                            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
                                            logger: logger))]
            }
        } catch let error as ListenError where error.code == .addressInUse {
            throw ShellError("\(error.address) is already in use; pick another port")
        } catch let error as ListenError {
            throw ShellError(error.description)
        }
        let bound = listening.port
        // Listening on every address: the API is told the loopback one (or --url).
        let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host
        let url = publicURL ?? "http://\(reachable.contains(":") ? "[\(reachable)]" : reachable):\(bound)/webhooks"
        let endpoint: Webhook
        do {
            endpoint = try await webhooks.create(url: url, events: WebhookEvent.Kind.allCases.map(\.rawValue))
        } catch {
            _ = try? await listening.shutdown()
            throw error
        }
        let listener = WebhookListener(url: url, webhookID: endpoint.id, port: bound, host: host,
                                       key: try WebhookSignature.key(endpoint.secret ?? ""),
                                       session: session, webhooks: webhooks, listening: listening, clock: clock)
        inbox.attach(listener)
        return listener
    }

    private init(url: String, webhookID: String, port: Int, host: String, key: SymmetricKey, session: ShellSession,
                 webhooks: any WebhookServiceClient, listening: ListeningGroup, clock: TimeSource) {
        self.clock = clock
        self.url = url
        self.webhookID = webhookID
        self.port = port
        self.host = host
        self.key = key
        self.session = session
        self.webhooks = webhooks
        self.listening = listening
    }

    public var counts: Counts { state.withLock { $0.counts } }

    /// Jobs as deliveries bring them, from now until `unsubscribe`.
    public func subscribe() -> (id: UInt64, jobs: AsyncStream<Job>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .unbounded)
        let id = state.withLock { state in
            state.nextSubscriber += 1
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        return (id, stream)
    }

    public func unsubscribe(_ id: UInt64) {
        state.withLock { $0.subscribers.removeValue(forKey: id) }?.finish()
    }

    /// Deletes the registration (best effort) and stops the server.
    public func stop() async {
        try? await webhooks.delete(id: webhookID)
        _ = try? await listening.shutdown()
        for continuation in state.withLock({ state in defer { state.subscribers = [:] }; return Array(state.subscribers.values) }) {
            continuation.finish()
        }
    }

    /// One delivery: 204 when taken (or a duplicate already taken), 401 when the signature or
    /// timestamp is refused, 400 when the body is not an event.
    fileprivate func receive(_ headers: HTTPFields, _ body: [UInt8]) async -> Response {
        let id = headers[HTTPField.Name("webhook-id")!]
        do {
            try WebhookSignature.verify(key: key, id: id, timestamp: headers[HTTPField.Name("webhook-timestamp")!],
                                        signature: headers[HTTPField.Name("webhook-signature")!], body: body,
                                        now: clock.timestamp.microseconds / 1_000_000)
        } catch {
            state.withLock { state in
                state.counts.rejected += 1
                state.counts.lastRejection = error.description
            }
            return Self.answer(.unauthorized, error.description)
        }
        guard let event = try? JSONDecoder().decode(WebhookEvent.self, from: Data(body)) else {
            state.withLock { $0.counts.rejected += 1; $0.counts.lastRejection = "a body that is not a job event" }
            return Self.answer(.badRequest, "the body is not a job event")
        }
        let fresh = state.withLock { state -> Bool in
            guard state.recent.insert(id ?? "") else {
                state.counts.duplicates += 1
                return false
            }
            state.counts.accepted += 1
            return true
        }
        guard fresh else { return Response(status: .noContent) }
        try? await session.update(event.data.job)
        for subscriber in state.withLock({ Array($0.subscribers.values) }) { subscriber.yield(event.data.job) }
        return Response(status: .noContent)
    }

    private static func answer(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

/// Routes deliveries to the listener once it exists (the server starts before registration).
private final class Inbox: Sendable {
    private let listener = Mutex<WebhookListener?>(nil)
    func attach(_ listener: WebhookListener) { self.listener.withLock { $0 = listener } }
    func receive(_ headers: HTTPFields, _ body: [UInt8]) async -> Response {
        guard let listener = listener.withLock({ $0 }) else {
            return Response(status: .serviceUnavailable, headers: [.retryAfter: "1"])
        }
        return await listener.receive(headers, body)
    }
}

/// The last `capacity` ids seen, for dropping duplicates in constant time and bounded memory.
struct RecentIDs {
    private var set: Set<String> = []
    private var order: [String] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Adds `id`; false when it was already there.
    mutating func insert(_ id: String) -> Bool {
        guard !set.contains(id) else { return false }
        if order.count < capacity {
            order.append(id)
        } else {
            set.remove(order[next])
            order[next] = id
            next = (next + 1) % capacity
        }
        set.insert(id)
        return true
    }
}
