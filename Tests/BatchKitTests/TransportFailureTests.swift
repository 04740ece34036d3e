import BatchKit
import Foundation
import NetworkFailures
import Synchronization
import Testing
import TranscodelyAPI
import TranscodelyClient
import TranscodelyTestSupport

/// What broke is told by the error's type: each way a call can fail before an answer gets its
/// `ClientError.reason` (what the batch engine decides by) and its own words, against a real socket.
@Suite(.timeLimit(.minutes(2))) struct TransportFailureTests {
    /// One attempt at a read against `baseURL`; the error it fails with. Its timeouts are long:
    /// what is tested is how each failure is told, and under the whole parallel suite on a loaded
    /// 2-core machine a loopback handshake has once taken longer than the default 10 s.
    func failure(_ baseURL: String, caFile: String? = nil) async -> ClientError? {
        let transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: baseURL, apiKey: APIKey("tk_transport_tests_01"), organizationID: "org_transport",
            timeout: .seconds(90), connectTimeout: .seconds(60), retry: RetryPolicy(maxAttempts: 1), caFile: caFile))
        do throws(ClientError) {
            _ = try await HTTPOriginServiceClient(transport).list()
            return nil
        } catch {
            return error
        }
    }

    @Test func aPortNobodyListensOnIsRefused() async throws {
        let error = try #require(await failure("http://127.0.0.1:\(freePort())"))
        #expect(error.origin == .transport && error.reason == .refused && error.neverReachedServer)
        #expect(error.message.hasSuffix("failed: connection refused (is the API running there?)"), "\(error.message)")
    }

    @Test func aHostNameThatDoesNotResolveIsSaidSo() async throws {
        let error = try #require(await failure("http://nonexistent.invalid:8080"))
        #expect(error.reason == .unresolved && error.neverReachedServer, "\(error)")
        #expect(error.message.contains("the host name did not resolve"), "\(error.message)")
    }

    @Test func tlsWithACertificateNoTrustedCASignedIsRefusedAndTrustingItsCAGetsThrough() async throws {
        let pki = try TemporaryDirectory("pki")
        defer { pki.remove() }
        let certificates = try TestCertificates(in: pki.url)
        let ca = try await certificates.authority()
        let certificate = try await certificates.server(signedBy: ca)
        try await WebhookSink.with(certificate: (certificate.certificateFile, certificate.keyFile)) { server in
            let base = "https://127.0.0.1:\(server.port)"
            let error = try #require(await failure(base))
            #expect(error.origin == .tls && error.reason == .tlsUntrusted && !error.isRetryable, "\(error)")
            #expect(error.message.contains("the API's certificate is not trusted: no CA this client trusts signed it"), "\(error.message)")
            // With its CA the handshake succeeds: what fails then is the answer (not the API), not TLS.
            let answered = await failure(base, caFile: ca.certificateFile)
            #expect(answered?.origin != .tls && answered?.reason == nil, "\(String(describing: answered))")
            // Plain HTTP to it: the TLS server closes the connection, and the error says to use https://.
            let plain = try #require(await failure("http://127.0.0.1:\(server.port)"))
            #expect(plain.reason == .closed && !plain.neverReachedServer, "\(plain)")
            #expect(plain.message.contains("(if the server serves TLS, use https://)"), "\(plain.message)")
        }
    }

    @Test func tlsSpokenToAPlainHTTPServerIsSaidSo() async throws {
        try await WebhookSink.with { server in
            let error = try #require(await failure("https://127.0.0.1:\(server.port)"))
            #expect(error.origin == .tls && error.reason == .tlsNotTLS, "\(error)")
            #expect(error.message.contains("the API does not speak TLS there (use http:// for a plain-HTTP server)"), "\(error.message)")
        }
    }

    /// A call whose task is cancelled (Ctrl-C) while it waits for an answer fails as cancelled
    /// (code `canceled`, not retryable), at once and after one attempt: not as a transport failure
    /// that the retry policy sends again, or that a user reads as the API being down.
    @Test func aCallCancelledWhileItWaitsIsCancelledNotUnavailable() async throws {
        let silent = try LoopbackSocket(listening: 16)  // takes connections, never answers
        defer { silent.close() }
        let transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: "http://127.0.0.1:\(silent.port)", apiKey: APIKey("tk_transport_tests_01"), organizationID: "org_transport",
            timeout: .seconds(60), retry: RetryPolicy(maxAttempts: 5)))
        let call = Task { () async -> ClientError? in
            do throws(ClientError) {
                _ = try await HTTPOriginServiceClient(transport).list()
                return nil
            } catch {
                return error
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        call.cancel()
        let error = try #require(await call.value)
        #expect(error.origin == .cancelled && error.code == .canceled && !error.isRetryable && error.attempts == 1, "\(error)")
        #expect(error.message.contains("was interrupted before its answer came"), "\(error.message)")
    }

    /// A batch interrupted while its creates wait for answers records each one sent as a failed
    /// create with code `canceled` (the shell journals it, and retry-failed resends it under its
    /// key) and the rest as not sent: none is lost, none is taken for the API being down.
    @Test func aBatchCancelledMidCreateRecordsItsCreatesAsCancelled() async throws {
        let silent = try LoopbackSocket(listening: 16)
        defer { silent.close() }
        let jobs = HTTPJobServiceClient(ConnectTransport(configuration: ClientConfiguration(
            baseURL: "http://127.0.0.1:\(silent.port)", apiKey: APIKey("tk_transport_tests_01"), organizationID: "org_transport",
            timeout: .seconds(60), retry: RetryPolicy(maxAttempts: 5))))
        let items = (0..<3).map { BatchItem(index: $0, request: BatchFixtures.request("clip-\($0).mp4", key: "cancel-\($0)")) }
        let recorded = Mutex<[String: ItemOutcome]>([:])
        let run = Task {
            await BatchRunner(client: jobs, pacer: Pacer(.standard)).run(items) { item, outcome in
                recorded.withLock { $0[item.key] = outcome }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        run.cancel()
        let report = await run.value
        // The pacer sends as the answers let it: what was sent failed cancelled, the rest was never sent.
        let codes = recorded.withLock { $0 }.mapValues { outcome -> String in
            if case let .failed(code, _, attempts) = outcome, attempts == 1 { return code }
            return "\(outcome)"
        }
        #expect(!codes.isEmpty && codes.values.allSatisfy { $0 == "canceled" }, "\(codes)")
        #expect(report.counts.failed == codes.count && report.counts.notSent == 3 - codes.count && report.stopReason == nil,
                "\(report.counts)")
    }
}
