import Foundation
import Testing
import TranscodelyAPI
import TranscodelyClient
import TranscodelyServer
import TranscodelyTestSupport
@testable import BatchKit

/// Batches through a proxy that drops answers after the server did the work, resets connections
/// and delays answers: nothing is lost, nothing is made twice.
@Suite(.serialized, .timeLimit(.minutes(5))) struct FaultToleranceTests {
    func client(through proxy: FaultProxy, retry: RetryPolicy = RetryPolicy()) -> HTTPJobServiceClient {
        HTTPJobServiceClient(ConnectTransport(configuration: ClientConfiguration(
            baseURL: "http://127.0.0.1:\(proxy.port)", apiKey: APIKey("tk_batch_tests_00001"),
            organizationID: "org_batch", timeout: .seconds(5), retry: retry)))
    }

    @Test func droppedAnswersResetsAndDelaysLoseNothingAndDuplicateNothing() async throws {
        try await BatchFixtures.with { f in
            let proxy = try FaultProxy(to: f.server.port, faults: .init(dropAfterRequestEvery: 7, resetConnectionEvery: 5, delay: .milliseconds(5)))
            defer { proxy.stop() }
            let items = try f.items(300)
            // A third of all attempts fail here (every 7th answer dropped, every 5th connection reset,
            // and a reset fails its attempt at once): 12 attempts make losing an item all but impossible.
            let retry = RetryPolicy(maxAttempts: 12, base: .milliseconds(20), cap: .milliseconds(500))
            let report = await BatchRunner(client: client(through: proxy, retry: retry), pacer: Pacer(.standard)).run(items)
            #expect(report.counts.failed == 0, "\(report.outcomes.filter { if case .failed = $0 { true } else { false } }.prefix(3))")
            #expect(report.counts.created + report.counts.existed == 300)
            #expect(proxy.dropped > 10 && proxy.reset > 0)
            // A dropped answer's job was made by the server; the retry found it under its key.
            #expect(report.counts.existed > 0)
            let jobs = try await f.allJobs()
            #expect(jobs.count == 300)
            #expect(Set(jobs.compactMap(\.idempotencyKey)) == Set(items.map(\.key)))
            #expect(zip(items, report.outcomes).allSatisfy { item, outcome in outcome.job?.idempotencyKey == item.key })
        }
    }

    @Test func aBatchAgainstAnUnreachableAPIStopsSoonAndSaysWhy() async throws {
        // Nothing listens on this port: every attempt is refused at once, and after 32 items in a
        // row the runner launches no more (the rest are not sent) instead of spending every
        // item's retries.
        let client = HTTPJobServiceClient(ConnectTransport(configuration: ClientConfiguration(
            baseURL: "http://127.0.0.1:\(freePort())", apiKey: APIKey("tk_batch_tests_00001"), organizationID: "org_batch",
            retry: RetryPolicy(maxAttempts: 3, base: .milliseconds(10), cap: .milliseconds(50)))))
        let items = (0..<400).map { BatchItem(index: $0, request: BatchFixtures.request("x\($0).mp4", key: "gone-\($0)")) }
        let report = await BatchRunner(client: client, pacer: Pacer(.init(rate: 1000, burst: 100, concurrency: 8))).run(items)
        #expect(report.counts.created == 0 && report.counts.notSent > 300)
        #expect(report.counts.failed >= 32 && report.counts.failed <= 32 + 8)
        #expect(report.stopReason?.hasPrefix("32 creates in a row could not reach the API (JobService/Create to http://127.0.0.1:") == true)
        #expect(report.stopReason?.contains("failed: connection refused (is the API running there?))") == true)
        #expect(report.outcomes.allSatisfy { if case let .failed(_, _, attempts) = $0 { attempts == 3 } else { $0 == .notSent } })
    }

    @Test func aCreateWithoutAKeyIsNeverSentTwiceAfterAnAmbiguousFailure() async throws {
        try await BatchFixtures.with { f in
            let proxy = try FaultProxy(to: f.server.port, faults: .init(dropAfterRequestEvery: 1))
            defer { proxy.stop() }
            do throws(ClientError) {
                _ = try await client(through: proxy).create(BatchFixtures.request("a.mp4"))
                Issue.record("the create should have failed")
            } catch {
                #expect(error.origin == .transport && error.attempts == 1)
                #expect(!error.description.contains("tk_batch_tests_00001"))
            }
            // The server did create it, once (its commit may land just after the client gave up).
            var made = try await f.allJobs().count
            for _ in 0..<250 where made == 0 {
                try await Task.sleep(for: .milliseconds(20))
                made = try await f.allJobs().count
            }
            #expect(made == 1)
            // With a key the same failure is retried, and every retry is answered by the same job.
            var keyed = BatchFixtures.request("b.mp4")
            keyed.idempotencyKey = "keyed-b"
            let retrying = try FaultProxy(to: f.server.port, faults: .init(dropRequests: [1]))
            defer { retrying.stop() }
            let result = try await client(through: retrying).create(keyed)
            #expect(result.attempts == 2 && result.replayed)
            #expect(try await f.allJobs().count == 2)
        }
    }
}

@Suite(.timeLimit(.minutes(5))) struct TransportTests {
    @Test func errorsAreDecodedOrInferredAndNeverCarryTheKey() async throws {
        try await BatchFixtures.with { f in
            let missing = await #expect(throws: ClientError.self) { try await f.jobs.get(id: "job_nope") }
            #expect(missing?.code == .notFound && missing?.message == "no job job_nope in organization org_batch")
            #expect(missing?.origin == .server(httpStatus: 404))
            let stranger = await #expect(throws: ClientError.self) { try await f.strangerJobs().get(id: "job_x") }
            #expect(stranger?.code == .unauthenticated)
            #expect(!(stranger.map { "\($0)" } ?? "").contains("tk_nobody_knows_this"))
            #expect(APIKey("tk_secret_value_123").description == "tk_sec…(redacted)")
            #expect("\(ClientConfiguration(apiKey: APIKey("tk_secret_value_123"), organizationID: "o"))".contains("tk_secret_value_123") == false)
            // A status without a Connect body: the code comes from the status (Connect's mapping).
            #expect(ConnectError.Code(httpStatus: 502) == .unavailable)
        }
    }

    @Test func originsAndWebhooksAreCalledTheSameWay() async throws {
        try await BatchFixtures.with { f in
            let origins = HTTPOriginServiceClient(f.transport)
            #expect(try await origins.list().map(\.id) == ["ori_local_input", "ori_local_output"])
            try f.data.write("origins/input/uploads/a.mp4", "x")
            let files = try await origins.listFiles(ListFilesRequest(originID: "ori_local_input", prefix: "uploads/"))
            #expect(files.files.map(\.path) == ["uploads/a.mp4"])
            // WebhookService through the same transport: create, list (no secret), delete, and the
            // server's refusals as ClientErrors.
            let webhooks = HTTPWebhookServiceClient(f.transport)
            let hook = try await webhooks.create(url: "http://127.0.0.1:9/hook", events: ["job.failed"])
            #expect(hook.secret?.hasPrefix("whsec_") == true)
            let listed = try await webhooks.list()
            #expect(listed.map(\.id) == [hook.id] && listed.allSatisfy { $0.secret == nil })
            try await webhooks.delete(id: hook.id)
            let missing = await #expect(throws: ClientError.self) { try await webhooks.delete(id: hook.id) }
            #expect(missing?.code == .notFound && missing?.origin == .server(httpStatus: 404))
        }
    }

    @Test func backoffIsFullJitterUnderACapAndHonoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 6, base: .milliseconds(100), cap: .seconds(2))
        #expect(policy.delay(after: 1, retryAfter: nil, random: 0.999) < .milliseconds(100))
        #expect(policy.delay(after: 3, retryAfter: nil, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(after: 10, retryAfter: nil, random: 0.999) <= .seconds(2))
        #expect(policy.delay(after: 1, retryAfter: .seconds(3), random: 0.1) == .seconds(3))
    }

    @Test func configurationComesFromTheEnvironment() {
        let configuration = ClientConfiguration.fromEnvironment(["TRANSCODELY_API_KEY": "tk_x", "TRANSCODELY_ORG_ID": "org_1"])
        #expect(configuration?.baseURL == "https://api.transcodely.com" && configuration?.organizationID == "org_1")
        #expect(ClientConfiguration.fromEnvironment(["TRANSCODELY_API_KEY": "tk_x"]) == nil)
        #expect(ClientConfiguration.fromEnvironment(["TRANSCODELY_API_KEY": "k", "TRANSCODELY_ORG_ID": "o",
                                                     "TRANSCODELY_API_URL": "http://127.0.0.1:8080/"])?.baseURL == "http://127.0.0.1:8080")
    }
}
