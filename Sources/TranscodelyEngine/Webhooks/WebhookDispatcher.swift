import AsyncHTTPClient
import Dispatch
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
/// another status) retries on the policy's schedule, no sooner than the endpoint's `Retry-After`;
/// out of attempts, it is given up, and `policy.disableAfterGivenUp` give-ups in a row disable
/// the endpoint.
///
/// Each attempt resolves the endpoint's host once, checks every address against the policy
/// (loopback and `--webhook-allow`), and connects only to those addresses (`WebhookClients`):
/// a host that now resolves outside them is not contacted, and the attempt fails, to be retried.
///
/// It sleeps until the store rings (a committed change queued deliveries), the next retry is
/// due, or a second has passed, whichever comes first. At start and then hourly (on the store's
/// clock) it prunes settled deliveries older than `policy.retention`.
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
    /// The HTTP clients, pinned to checked addresses: made on a delivery's first attempt and
    /// shut down when `run` ends, so an engine that never runs holds none.
    let clients: WebhookClients

    init(store: any WebhookOutbox, policy: WebhookPolicy, logger: Logger) {
        self.store = store
        self.policy = policy
        self.logger = logger
        clients = WebhookClients(policy: policy)
    }

    /// Something was queued: look now.
    func wake() {
        let sleeper = doorbell.withLock { bell -> Task<Void, Never>? in
            bell.rung = true
            return bell.sleeper
        }
        sleeper?.cancel()
    }

    /// Delivers (and prunes) until cancelled, then closes its HTTP clients.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.prune() }
            while !Task.isCancelled {
                let room = policy.concurrency - busy.withLock { $0.count }
                if room > 0 {
                    let now = store.clock.timestamp.microseconds
                    let due = (try? await store.dueDeliveries(now: now, limit: room, excluding: busy.withLock { $0 })) ?? []
                    for delivery in due {
                        busy.withLock { _ = $0.insert(delivery.seq) }
                        group.addTask {
                            await self.attempt(delivery)
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
        await clients.shutdown()
    }

    /// Prunes settled deliveries older than the retention now and then every hour, until cancelled.
    private func prune() async {
        let retention = policy.retention.microseconds
        while !Task.isCancelled {
            do {
                let pruned = try await store.pruneDeliveries(endedBefore: store.clock.timestamp.microseconds - retention)
                if pruned > 0 { logger.info("pruned \(pruned) settled webhook deliveries older than \(policy.retention)") }
            } catch where Task.isCancelled {
                return  // the engine is stopping (or never got its port): nothing failed
            } catch {
                logger.warning("could not prune webhook deliveries: \(error)")
            }
            do { try await store.clock.sleep(for: .seconds(3600)) } catch { return }
        }
    }

    /// Sleeps until rung, `due` (microseconds) or a second from now.
    private func nap(until due: Int64?) async {
        let clock = store.clock
        // The deadline is fixed here, from the instant read before the stamp: a clock that moves
        // meanwhile (a test's) can only make it come sooner, never leave the sleeper a full wait
        // past a due time that has come.
        let start = clock.now
        var wait = Duration.seconds(1)
        if let due {
            let micros = max(0, due - clock.timestamp.microseconds)
            wait = min(wait, .microseconds(micros))
        }
        guard wait > .zero else { return }
        let deadline = start.advanced(by: wait)
        let sleeper = Task<Void, Never> { try? await clock.sleep(until: deadline) }
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
    private func attempt(_ delivery: DueDelivery) async {
        let started = ContinuousClock.now
        let now = store.clock.timestamp.microseconds
        if delivery.unsealable {
            let reason = "the engine cannot open this webhook's secret (secrets.key was replaced); create the webhook again"
            logger.error("webhook \(delivery.webhookID) disabled: \(reason)")
            _ = try? await store.recordAttempt(delivery, at: now, statusCode: nil, error: reason, durationMs: 0, outcome: .disable(reason: reason))
            return
        }
        var statusCode: Int?
        var failure: String?
        var retryAfter: Double?
        do {
            // Resolved once, here; the connection goes to these addresses and no other.
            let target: WebhookTarget
            do {
                target = try await Self.target(delivery.url, policy)
            } catch {
                throw ConnectError(error.code, "not sent: \(error.message)")
            }
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
            let answer = try await send(request, to: target)
            statusCode = answer.status
            retryAfter = answer.retryAfter
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
            let limit = max(1, policy.disableAfterGivenUp)
            let last = statusCode.map { "HTTP \($0)" } ?? failure ?? "no answer"
            outcome = .gaveUp(disableAfter: limit, reason: """
                \(limit) deliveries in a row were given up, each after every retry (the last: \(last)); deliveries to it stopped \
                and its pending ones were dropped: fix the receiver, then delete this webhook and create it again
                """)
            logger.warning("webhook delivery \(delivery.eventID) to \(delivery.webhookID) given up after \(delivery.attempts + 1) attempts")
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.milliseconds)
        do {
            let disabledNow = try await store.recordAttempt(delivery, at: now, statusCode: statusCode, error: failure, durationMs: milliseconds,
                                                         outcome: outcome)
            if disabledNow, case .gaveUp = outcome {
                logger.warning("webhook \(delivery.webhookID) is disabled (\(policy.disableAfterGivenUp) deliveries in a row given up); its pending deliveries were dropped")
            }
        } catch is CancellationError {
            // The engine stopping: the attempt stays unrecorded and is sent again, at least once.
            logger.info("stopped before recording attempt \(delivery.attempts + 1) of webhook delivery \(delivery.eventID); it will be sent again (same webhook-id)")
        } catch {
            // Not recorded: it stays pending and is attempted again (same webhook-id), at least once.
            logger.error("could not record a webhook attempt: \(error)")
        }
    }

    /// `policy.target(url)` on a dispatch queue: the system resolver blocks, and the cooperative
    /// pool has only a thread per core.
    private static func target(_ url: String, _ policy: WebhookPolicy) async throws(ConnectError) -> WebhookTarget {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<WebhookTarget, ConnectError>, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(ConnectError) -> WebhookTarget in try policy.target(url) })
            }
        }
        return try result.get()
    }

    /// Sends `request` to the target's addresses in order, each through the client pinned to it,
    /// moving to the next only when no connection could be made to one (refused, or no answer to
    /// the connect: nothing was sent), all within one `policy.timeout`. The status and the
    /// `Retry-After` seconds (finite, at most a day) of the answer.
    private func send(_ request: HTTPClientRequest, to target: WebhookTarget) async throws -> (status: Int, retryAfter: Double?) {
        let deadline = NIODeadline.now() + .init(policy.timeout)
        var index = 0
        while true {
            let key = WebhookClients.Key(host: target.host, address: target.addresses[index], isLiteral: target.isLiteral)
            do {
                return try await clients.with(key) { client in
                    let response = try await client.execute(request, deadline: deadline)
                    let retryAfter = response.headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                        .flatMap { $0.isFinite && $0 >= 0 ? min($0, 86_400) : nil }
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    return (Int(response.status.code), retryAfter)
                }
            } catch {
                index += 1
                let failure = NetworkFailure(error)
                guard index < target.addresses.count, failure == .refused || failure == .connectTimeout, NIODeadline.now() < deadline else {
                    throw error
                }
            }
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
