import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import NetworkFailures
import Synchronization
import Timekeeping
import TranscodelyAPI

/// What a response said besides its message: the headers a client paces and counts by.
public struct ResponseInfo: Sendable, Hashable {
    public var httpStatus: Int
    /// `Idempotent-Replayed: true`: a Create returned a job that already existed.
    public var replayed: Bool
    /// `RateLimit: "default";r=R;t=T`: requests left now, and seconds until the bucket is full.
    public var remaining: Int?
    public var resetSeconds: Int?
    /// `RateLimit-Policy: "default";q=Q;w=W`: the quota per window.
    public var quota: Int?
    public var windowSeconds: Int?
    /// `Retry-After` (429 and 503).
    public var retryAfter: Duration?

    public init(httpStatus: Int, replayed: Bool, remaining: Int? = nil, resetSeconds: Int? = nil,
                quota: Int? = nil, windowSeconds: Int? = nil, retryAfter: Duration? = nil) {
        self.httpStatus = httpStatus
        self.replayed = replayed
        self.remaining = remaining
        self.resetSeconds = resetSeconds
        self.quota = quota
        self.windowSeconds = windowSeconds
        self.retryAfter = retryAfter
    }
}

/// Sends Connect unary calls over HTTP (AsyncHTTPClient, pooled keep-alive connections): auth
/// headers, `Connect-Timeout-Ms`, error decoding, and the retry policy for requests that are safe
/// to send again.
public struct ConnectTransport: Sendable {
    /// Which failures a call may be sent again after.
    public enum Retry: Sendable {
        /// Reads, and creates that carry an idempotency key: any retryable failure, transport
        /// failures included.
        case safe
        /// Calls that must not run twice: only after a refusal that proves nothing ran (429).
        case refusedOnly
    }

    public let configuration: ClientConfiguration
    private let http: HTTPClient
    /// Set when `configuration.caFile` adds a CA; nil uses the client's default (system store).
    private let tls: TLSConfiguration?
    /// Called with every response's headers (the batch engine's pacer tunes itself from them).
    public var observer: (@Sendable (ResponseInfo) -> Void)?
    /// How the transport waits between attempts (a test passes a clock that does not sleep).
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

    /// One HTTP client for the whole process per connect timeout (AsyncHTTPClient sets that
    /// timeout per client, not per request), each with enough connections per host for a batch.
    private static let sharedHTTP = Mutex<[Duration: HTTPClient]>([:])

    static func http(connectTimeout: Duration) -> HTTPClient {
        sharedHTTP.withLock { clients in
            if let client = clients[connectTimeout] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
            configuration.timeout = .init(connect: .nanoseconds(connectTimeout.nanoseconds))
            // A refused connection fails the attempt at once, and the RetryPolicy decides what follows:
            // left to retry connecting on its own, the pool would hold every call until its deadline
            // (30 s), and a batch against a dead host would take minutes per item.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[connectTimeout] = client
            return client
        }
    }

    public init(configuration: ClientConfiguration) {
        self.configuration = configuration
        http = Self.http(connectTimeout: configuration.connectTimeout)
        tls = configuration.caFile.map { TrustedCA.tlsConfiguration(caFile: $0) }
    }

    /// Calls `Service/Method` with a JSON body; returns the decoded message and the response info.
    public func call<Output: Decodable>(_ method: String, body: [UInt8], as: Output.Type, retry: Retry) async throws(ClientError) -> (Output, ResponseInfo, attempts: Int) {
        var attempt = 0
        while true {
            attempt += 1
            do throws(ClientError) {
                let (data, info) = try await once(method, body)
                guard let output = try? JSONDecoder().decode(Output.self, from: data) else {
                    throw ClientError.transport("\(method) answered 200 with a body that is not a \(Output.self)")
                }
                return (output, info, attempt)
            } catch {
                var failure = error
                failure.attempts = attempt
                guard Self.again(failure, retry), attempt < configuration.retry.maxAttempts else { throw failure }
                let wait = configuration.retry.delay(after: attempt, retryAfter: failure.retryAfter, random: random())
                do { try await sleep(wait) } catch { throw Self.interrupted(method, waitingAfter: failure) }
            }
        }
    }

    /// Sends `Service/Method` with `body` exactly as given and returns the answer whatever its
    /// status (a Connect error is an answer too), with the headers of both sides: what `call`
    /// shows. The retry policy is `call`'s: a retryable failure is sent again only as `retry`
    /// allows; the last answer is returned. Throws only when no answer came.
    public func exchange(_ method: String, body: [UInt8], retry: Retry) async throws(ClientError) -> Exchange {
        var attempt = 0
        while true {
            attempt += 1
            var failure: ClientError
            do throws(ClientError) {
                let sent = try await send(method, body)
                let exchange = Exchange(requestHeaders: sent.requestHeaders.map { ($0.name, $0.value) }, info: sent.info,
                                        headers: sent.headers.map { ($0.name, $0.value) }, body: Array(sent.data), attempts: attempt)
                guard sent.info.httpStatus != 200 else { return exchange }
                failure = Self.failure(sent.data, sent.info)
                guard Self.again(failure, retry), attempt < configuration.retry.maxAttempts else { return exchange }
            } catch {
                failure = error
                failure.attempts = attempt
                guard Self.again(failure, retry), attempt < configuration.retry.maxAttempts else { throw failure }
            }
            let wait = configuration.retry.delay(after: attempt, retryAfter: failure.retryAfter, random: random())
            do { try await sleep(wait) } catch { throw Self.interrupted(method, waitingAfter: failure) }
        }
    }

    /// The failure of a call whose task was cancelled while it waited to send again after `failure`.
    static func interrupted(_ method: String, waitingAfter failure: ClientError) -> ClientError {
        var error = ClientError.cancelled("\(method) was interrupted while waiting to try again after: \(failure.message)")
        error.attempts = failure.attempts
        return error
    }

    /// Whether `failure` may be sent again under `retry`.
    static func again(_ failure: ClientError, _ retry: Retry) -> Bool {
        switch retry {
        case .safe: failure.isRetryable
        case .refusedOnly: failure.code == .resourceExhausted
        }
    }

    /// A transport failure in words a user can act on, by what broke; the error's own text only
    /// when there is nothing better to say.
    static func describe(_ reason: NetworkFailure, _ error: any Error, seconds: Int64, connect: Duration) -> String {
        switch reason {
        case .refused: "connection refused (is the API running there?)"
        case .reset: "the connection was reset"
        case .unresolved: "the host name did not resolve (is it spelled right?)"
        case .connectTimeout: "no connection within \(Self.seconds(connect)) s (is the address right, and reachable?)"
        case .timedOut: "no answer within \(seconds + 1) s"
        case .closed: "the connection closed before the answer came"
        case .tlsUntrusted, .tlsWrongHost, .tlsNotTLS, .tlsHandshake, .other: "\(error)"
        }
    }

    /// `duration` in seconds as a user reads them: `10`, `2.5`.
    static func seconds(_ duration: Duration) -> String {
        let value = duration.timeInterval
        return value == value.rounded() ? String(Int(value)) : String(value)
    }

    private func once(_ method: String, _ body: [UInt8]) async throws(ClientError) -> (Data, ResponseInfo) {
        let sent = try await send(method, body)
        guard sent.info.httpStatus == 200 else { throw Self.failure(sent.data, sent.info) }
        return (sent.data, sent.info)
    }

    /// The Connect error a non-200 answer carries (or one inferred from its HTTP status).
    static func failure(_ data: Data, _ info: ResponseInfo) -> ClientError {
        let decoded = try? JSONDecoder().decode(ConnectError.self, from: data)
        let error = decoded ?? ConnectError(ConnectError.Code(httpStatus: info.httpStatus),
                                            "HTTP \(info.httpStatus) without a Connect error body")
        return .server(error, httpStatus: info.httpStatus, retryAfter: info.retryAfter)
    }

    /// One HTTP exchange: the request with its headers, the answer whatever its status.
    private func send(_ method: String, _ body: [UInt8]) async throws(ClientError)
        -> (data: Data, info: ResponseInfo, headers: HTTPHeaders, requestHeaders: HTTPHeaders) {
        var request = HTTPClientRequest(url: "\(configuration.baseURL)/transcodely.v1.\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey.secret)")
        request.headers.add(name: "X-Organization-ID", value: configuration.organizationID)
        request.headers.add(name: "Connect-Protocol-Version", value: "1")
        let ms = configuration.timeout.milliseconds
        request.headers.add(name: "Connect-Timeout-Ms", value: String(ms))
        request.body = .bytes(ByteBuffer(bytes: body))
        request.tlsConfiguration = tls
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .milliseconds(ms + 1000))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            // Never echo the request: it carries the key. The error's own text names no secret.
            if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
                throw .cancelled("\(method) to \(configuration.baseURL) was interrupted before its answer came (if it changes something, it may or may not have taken effect)")
            }
            let reason = NetworkFailure(error)
            if let words = TrustedCA.describeTLS(reason, detail: "\(error)", peer: "the API",
                                                 fix: "set TRANSCODELY_CA_FILE to the PEM file of the CA that issued it, or pass --ca-file") {
                throw .tls("\(method) to \(configuration.baseURL) failed: \(words)", reason: reason)
            }
            if configuration.baseURL.hasPrefix("http://"), reason == .closed {
                throw .transport("\(method) to \(configuration.baseURL) failed: the connection closed before the answer came (if the server serves TLS, use https://)",
                                 reason: reason)
            }
            throw .transport("\(method) to \(configuration.baseURL) failed: \(Self.describe(reason, error, seconds: ms / 1000, connect: configuration.connectTimeout))", reason: reason)
        }
        let info = Self.info(response.headers, status: Int(response.status.code))
        observer?(info)
        let shown = HTTPHeaders(request.headers.map { ($0.name, $0.name == "Authorization" ? "Bearer ***" : $0.value) })
        return (Data(bytes.readableBytesView), info, response.headers, shown)
    }

    static func info(_ headers: HTTPHeaders, status: Int) -> ResponseInfo {
        var info = ResponseInfo(httpStatus: status, replayed: headers.first(name: "Idempotent-Replayed")?.lowercased() == "true")
        if let value = headers.first(name: "RateLimit") {
            info.remaining = parameter("r", in: value)
            info.resetSeconds = parameter("t", in: value)
        }
        if let value = headers.first(name: "RateLimit-Policy") {
            info.quota = parameter("q", in: value)
            info.windowSeconds = parameter("w", in: value)
        }
        if let value = headers.first(name: "Retry-After"), let seconds = Int(value.trimmingCharacters(in: .whitespaces)) {
            info.retryAfter = .seconds(seconds)
        }
        return info
    }

    /// `name=VALUE` in a structured-field list such as `"default";r=42;t=1`.
    static func parameter(_ name: String, in value: String) -> Int? {
        for part in value.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name {
                return Int(pair[1].trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }
}

extension ConnectTransport {
    /// The JSON body of a request: the fast writer when the type has one.
    static func body<T: Encodable>(_ message: T) -> [UInt8] {
        if let writable = message as? any JSONWritable { return writable.jsonBytes }
        return Array((try? WireCoding.encoder().encode(message)) ?? Data("{}".utf8))
    }
}
