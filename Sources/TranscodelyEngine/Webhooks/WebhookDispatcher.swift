import AsyncHTTPClient
import Foundation
import Logging
import NetworkFailures
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import Timekeeping
import TranscodelyAPI

/// Sends the outbox: each due delivery is POSTed to its endpoint, signed per Standard Webhooks
/// with a fresh timestamp and the same `webhook-id` on every attempt, and the attempt recorded.
/// A 2xx delivers it; 410 disables the endpoint; anything else (a timeout, a refused connection,
/// another status) retries on the policy's schedule, no sooner than the endpoint's `Retry-After`.
///
/// It sleeps until the store rings (a committed change queued deliveries), the next retry is
/// due, or a second has passed, whichever comes first.
final class WebhookDispatcher: Sendable {
    private struct Doorbell {
        var rung = false
        var sleeper: Task<Void, Never>?
    }

    private let store: any WebhookOutbox
    private let policy: WebhookPolicy
    private let logger: Logger
    private let doorbell = Mutex(Doorbell())
    /// Deliveries being attempted now (never picked twice).
    private let busy = Mutex<Set<Int64>>([])

    init(store: any WebhookOutbox, policy: WebhookPolicy, logger: Logger) {
        self.store = store
        self.policy = policy
        self.logger = logger
    }

    /// The HTTP client of one `run`: made there and shut down there, so an engine that never
    /// runs holds none.
    private func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        // A redirect could lead anywhere, past the allowed networks: never followed.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(policy.timeout.components.seconds))
        // https receivers are verified against the system store and the configured CA, never not at all.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile = policy.caFile { tls.additionalTrustRoots = [.file(caFile)] }
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Something was queued: look now.
    func wake() {
        let sleeper = doorbell.withLock { bell -> Task<Void, Never>? in
            bell.rung = true
            return bell.sleeper
        }
        sleeper?.cancel()
    }

    /// Delivers until cancelled, then closes its HTTP client.
    func run() async {
        let client = makeClient()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let room = policy.concurrency - busy.withLock { $0.count }
                if room > 0 {
                    let now = store.clock.timestamp.microseconds
                    let due = (try? await store.dueDeliveries(now: now, limit: room, excluding: busy.withLock { $0 })) ?? []
                    for delivery in due {
                        busy.withLock { _ = $0.insert(delivery.seq) }
                        group.addTask {
                            await self.attempt(delivery, client)
                            self.busy.withLock { _ = $0.remove(delivery.seq) }
                            self.wake()
                        }
                    }
                    if due.count == room { continue }
                }
                var next = (try? await store.nextDeliveryTime()) ?? nil
                // A due time already past belongs to deliveries being attempted: their end rings.
                if let due = next, due <= store.clock.timestamp.microseconds, !busy.withLock({ $0.isEmpty }) { next = nil }
                await nap(until: next)
            }
        }
        try? await client.shutdown()
    }

    /// Sleeps until rung, `due` (microseconds) or a second from now.
    private func nap(until due: Int64?) async {
        var wait = Duration.seconds(1)
        if let due {
            let micros = max(0, due - store.clock.timestamp.microseconds)
            wait = min(wait, .microseconds(micros))
        }
        guard wait > .zero else { return }
        let clock = store.clock
        let sleeper = Task<Void, Never> { try? await clock.sleep(for: wait) }
        let rung = doorbell.withLock { bell -> Bool in
            if bell.rung {
                bell.rung = false
                return true
            }
            bell.sleeper = sleeper
            return false
        }
        if rung { sleeper.cancel() }
        await withTaskCancellationHandler { await sleeper.value } onCancel: { sleeper.cancel() }
        doorbell.withLock { bell in
            bell.sleeper = nil
            bell.rung = false
        }
    }

    /// One attempt at one delivery, recorded whatever happens.
    private func attempt(_ delivery: DueDelivery, _ client: HTTPClient) async {
        let started = ContinuousClock.now
        let now = store.clock.timestamp.microseconds
        if delivery.unsealable {
            let reason = "the engine cannot open this webhook's secret (secrets.key was replaced); create the webhook again"
            logger.error("webhook \(delivery.webhookID) disabled: \(reason)")
            try? await store.recordAttempt(delivery, at: now, statusCode: nil, error: reason, durationMs: 0, outcome: .disable(reason: reason))
            return
        }
        var statusCode: Int?
        var failure: String?
        var retryAfter: Double?
        do {
            try policy.check(delivery.url)
            let key = try WebhookSignature.key(delivery.secret)
            let timestamp = now / 1_000_000
            var request = HTTPClientRequest(url: delivery.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "tcly-webhooks")
            request.headers.add(name: "webhook-id", value: delivery.eventID)
            request.headers.add(name: "webhook-timestamp", value: String(timestamp))
            request.headers.add(name: "webhook-signature",
                                value: WebhookSignature.sign(key: key, id: delivery.eventID, timestamp: timestamp, body: delivery.body))
            request.body = .bytes(ByteBuffer(bytes: delivery.body))
            let response = try await client.execute(request, timeout: .init(policy.timeout))
            statusCode = Int(response.status.code)
            // Only a finite, sane number of seconds is honoured (at most a day).
            retryAfter = response.headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                .flatMap { $0.isFinite && $0 >= 0 ? min($0, 86_400) : nil }
            _ = try? await response.body.collect(upTo: 1 << 16)
        } catch let error as ConnectError {
            failure = error.message
        } catch let error as WebhookSignature.Failure {
            failure = error.description
        } catch {
            failure = Self.describe(error)
        }
        let outcome: AttemptOutcome
        if let statusCode, (200..<300).contains(statusCode) {
            outcome = .delivered
        } else if statusCode == 410 {
            outcome = .disable(reason: "the endpoint answered 410 Gone; deliveries to it stopped")
            logger.notice("webhook \(delivery.webhookID) answered 410 Gone: disabled")
        } else if let delay = policy.delay(after: delivery.attempts + 1, retryAfter: retryAfter) {
            outcome = .retry(at: now + Int64(delay * 1_000_000))
        } else {
            outcome = .gaveUp
            logger.warning("webhook delivery \(delivery.eventID) to \(delivery.webhookID) given up after \(delivery.attempts + 1) attempts")
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        do {
            try await store.recordAttempt(delivery, at: now, statusCode: statusCode, error: failure, durationMs: milliseconds, outcome: outcome)
        } catch {
            // Not recorded: it stays pending and is attempted again (same webhook-id), at least once.
            logger.error("could not record a webhook attempt: \(error)")
        }
    }

    /// A transport failure in a few words (never the URL's query or anything secret), by what
    /// broke; the error's own text only when there is nothing better to say.
    static func describe(_ error: any Error) -> String {
        switch NetworkFailure(error) {
        case .timedOut, .connectTimeout: "timed out"
        case .closed: "the connection was closed before an answer"
        case .refused: "connection refused"
        case .reset: "the connection was reset"
        case .unresolved: "the host name did not resolve"
        case .tlsWrongHost: "the receiver's certificate is not trusted: it was not issued for the URL's host"
        case .tlsUntrusted:
            "the receiver's certificate is not trusted: no CA the engine trusts signed it, or it expired (start tcly serve with --ca-file FILE for a private CA)"
        case .tlsNotTLS: "the receiver does not speak TLS (use an http:// URL)"
        case .tlsHandshake: "the TLS handshake with the receiver failed: \(String("\(error)".prefix(200)))"
        case .other: String("\(error)".prefix(200))
        }
    }
}
