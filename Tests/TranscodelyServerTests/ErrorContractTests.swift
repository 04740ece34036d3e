import Foundation
import Testing
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine
@testable import TranscodelyServer
import TranscodelyTestSupport

/// Every row of API.md's error table that this engine can answer, over real HTTP.
@Suite(.timeLimit(.minutes(5))) struct ErrorContractTests {
    @Test func malformedAndInvalidRequestsAreInvalidArgumentNamingTheField() async throws {
        try await ServerFixture.with { f in
            let cases: [(String, String, String)] = [
                ("JobService/Create", "{nope", "the request body is not valid JSON"),
                ("JobService/Create", #"{"input_pth":"a"}"#, "input_pth: unknown field"),
                ("JobService/Create", #"{"input_origin_id":"ori_local_input","input_path":"a.mp4","output_origin_id":"ori_local_output","outputs":[{"type":"webm","video":[]}]}"#,
                 #"outputs[0].type: output type "webm" is not known"#),
                ("JobService/Create", #"{"input_origin_id":"ori_local_input","input_path":"a.mp4","output_origin_id":"ori_local_output","outputs":[]}"#,
                 "outputs: a job takes 1 to 10 outputs, got 0"),
                ("JobService/Create", #"{"input_origin_id":"ori_local_input","input_path":"../x.mp4","output_origin_id":"ori_local_output","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]}"#,
                 "input_path: \"../x.mp4\" may not contain . or .. components"),
                ("JobService/List", #"{"page_size":1001}"#, "page_size: must be 1 to 1000, got 1001"),
                ("JobService/List", #"{"page_token":"%%%"}"#, "page_token: not a token this server issued"),
                ("JobService/Get", #"{}"#, "id: is required"),
            ]
            for (path, body, message) in cases {
                let reply = try await f.a.call(path, body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.code == "invalid_argument", "\(body)")
                #expect(reply.message.hasPrefix(message), "\(body) → \(reply.message)")
                #expect(reply.header("Content-Type") == "application/json")
            }
        }
    }

    @Test func unusableOriginsAndEndedJobsAreFailedPrecondition() async throws {
        try await ServerFixture.with { f in
            let reply = try await f.a.call("JobService/Create", #"{"input_origin_id":"ori_nope","input_path":"a.mp4","output_origin_id":"ori_local_output","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]}"#)
            #expect(reply.status == 400 && reply.code == "failed_precondition")
            #expect(reply.message.hasPrefix("input_origin_id: no origin ori_nope on this engine"))
            let job = try await f.a.create().decode(JobResponse.self).job
            let ended = try await f.finished(job.id)
            #expect(ended.status == .completed)
            let cancel = try await f.a.call("JobService/Cancel", #"{"id":"\#(job.id)"}"#)
            #expect(cancel.status == 400 && cancel.code == "failed_precondition")
            #expect(cancel.message == "job \(job.id) already ended (completed); only pending, probing or processing jobs can be cancelled")
        }
    }

    @Test func authenticationFailuresAre401And403() async throws {
        try await ServerFixture.with { f in
            var noKey = f.a
            noKey.key = nil
            #expect(try await noKey.create().code == "unauthenticated")
            var badKey = f.a
            badKey.key = "tk_not_a_real_key_0000"
            let bad = try await badKey.create()
            #expect(bad.status == 401 && bad.message == "unknown or revoked API key; check TRANSCODELY_API_KEY")
            #expect(!bad.text.contains("tk_not_a_real_key_0000"))
            var noOrg = f.a
            noOrg.org = nil
            let missing = try await noOrg.create()
            #expect(missing.status == 401 && missing.message.hasPrefix("missing X-Organization-ID"))
            var otherOrg = f.a
            otherOrg.org = "org_b"
            let denied = try await otherOrg.create()
            #expect(denied.status == 403 && denied.code == "permission_denied")
        }
    }

    @Test func anotherOrganizationsJobIsNotFoundNever403() async throws {
        try await ServerFixture.with { f in
            let job = try await f.a.create(key: "mine").decode(JobResponse.self).job
            for path in ["JobService/Get", "JobService/Cancel"] {
                let reply = try await f.b.call(path, #"{"id":"\#(job.id)"}"#)
                #expect(reply.status == 404 && reply.code == "not_found")
                #expect(reply.message == "no job \(job.id) in organization org_b")
            }
            let listed = try await f.b.call("JobService/List", "{}").decode(ListJobsResponse.self)
            #expect(listed.jobs.isEmpty)
            #expect(try await f.a.call("JobService/Get", #"{"id":"job_doesnotexist"}"#).status == 404)
            // Same key in another organization's app is another job.
            let theirs = try await f.b.create(key: "mine").decode(JobResponse.self).job
            #expect(theirs.id != job.id)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfterAndPacingHeaders() async throws {
        let clock = TestClock()
        try await ServerFixture.with(tier: .standard, clock: clock.source) { f in
            for i in 0..<200 {
                let reply = try await f.a.call("OriginService/List", "{}")
                #expect(reply.status == 200, "request \(i)")
                if i == 0 {
                    #expect(reply.header("RateLimit-Policy") == #""default";q=100;w=1"#)
                    #expect(reply.header("RateLimit") == #""default";r=199;t=1"#)
                }
            }
            let refused = try await f.a.call("OriginService/List", "{}")
            #expect(refused.status == 429 && refused.code == "resource_exhausted")
            #expect(refused.header("Retry-After") == "1")
            #expect(refused.header("RateLimit")?.hasPrefix(#""default";r=0;"#) == true)
            // Another app has its own bucket; time refills this one.
            #expect(try await f.a2.call("OriginService/List", "{}").status == 200)
            clock.advance(by: .seconds(1))
            #expect(try await f.a.call("OriginService/List", "{}").status == 200)
            let metrics = try await f.a.get("/metrics").text
            #expect(metrics.contains("tcly_rate_limited_total 1"))
        }
    }

    @Test func transportRulesContentTypeGzipBodyLimitUnknownMethods() async throws {
        try await ServerFixture.with { f in
            let text = try await f.a.call("JobService/List", "{}", contentType: "text/plain")
            #expect(text.status == 415 && text.message == #"Content-Type must be application/json, got "text/plain""#)
            #expect(try await f.a.call("JobService/List", "{}", contentType: "application/json; charset=utf-8").status == 200)
            let zipped = try await f.a.call("JobService/Create", """
                {"input_origin_id":"ori_local_input","input_path":"a.mp4","output_origin_id":"ori_local_output","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]}
                """, gzip: true)
            #expect(zipped.status == 200)
            let huge = try await f.a.call("JobService/List", #"{"page_token":""# + String(repeating: "x", count: 1_100_000) + #""}"#)
            #expect(huge.status == 400 && huge.message.hasPrefix("the request body is larger than 1024 KiB"))
            for size in [1_100_000, 2_000_000] {
                let bomb = try await f.a.call("JobService/List", #"{"page_token":""# + String(repeating: "x", count: size) + #""}"#, gzip: true)
                #expect(bomb.status == 400 && bomb.message.contains("once decompressed"), "\(size)")
            }
            let unknown = try await f.a.call("JobService/Explode", "{}")
            #expect(unknown.status == 501 && unknown.code == "unimplemented")
            let timeout = try await f.a.call("JobService/List", "{}", headers: [("Connect-Timeout-Ms", "soon")])
            #expect(timeout.status == 400 && timeout.message.hasPrefix("Connect-Timeout-Ms must be"))
            #expect(try await f.a.call("JobService/List", "{}", headers: [("Connect-Timeout-Ms", "5000")]).status == 200)
        }
    }

    @Test func aDeadlineThatPassesIsDeadlineExceeded() async throws {
        await #expect(throws: ConnectError(.deadlineExceeded, "the call took longer than its Connect-Timeout-Ms of 20 ms")) {
            try await ConnectRoutes.within(.milliseconds(20)) {
                try await Task.sleep(for: .seconds(5))
                return 1
            }
        }
        #expect(try await ConnectRoutes.within(.seconds(5)) { 7 } == 7)
    }

    @Test func healthMetricsAndTheOpenAPIDocumentAreServed() async throws {
        try await ServerFixture.with { f in
            #expect(try await f.a.get("/healthz").status == 200)
            _ = try await f.a.create()
            let metrics = try await f.a.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"tcly_requests_total{method="JobService/Create",code="ok"} 1"#))
            #expect(metrics.text.contains(#"tcly_jobs{status="#))
            let document = try await f.a.get("/openapi.yaml")
            #expect(document.status == 200 && document.text.hasPrefix("openapi: 3"))
            #expect(document.text.contains("/transcodely.v1.JobService/Create"))
        }
    }
}
