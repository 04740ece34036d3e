import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// `JobService/GetLog` and the failure details of `Job.error` over HTTP: what the engine keeps of
/// each attempt, scoped to the organization, holding no key or secret.
@Suite(.timeLimit(.minutes(5))) struct JobLogTests {
    @Test func aFailedJobCarriesItsDetailsAndItsLogIsOrgScopedAndHoldsNoSecret() async throws {
        try await ServerFixture.with(spec: "probe=0,encode=0.2,fail=1") { f in
            let hook = try await f.a.call("WebhookService/Create", #"{"url":"http://127.0.0.1:9/hook","events":["job.failed"]}"#)
                .decode(WebhookResponse.self).webhook
            let secret = try #require(hook.secret)
            let job = try await f.a.create(path: "a.mp4", key: "log-1").decode(JobResponse.self).job
            let done = try await f.finished(job.id)
            let error = try #require(done.error)
            #expect(error.code == "encode_failed" && error.category == .engine && error.retryable == false && error.phase == .encode)
            #expect(error.attempt == 1 && error.positionSeconds == 5, "\(error)")

            let reply = try await f.a.call("JobService/GetLog", #"{"id":"\#(job.id)"}"#)
            #expect(reply.status == 200, "\(reply.text)")
            let log = try reply.decode(JobLog.self)
            #expect(log.jobID == job.id && log.attempts.count == 1)
            let attempt = try #require(log.attempts.first)
            #expect(attempt.number == 1 && attempt.outcome == "failed" && attempt.tool == "simulate" && !attempt.truncated)
            #expect(attempt.endedAt.map { $0 >= attempt.startedAt } == true)
            #expect(attempt.command.first == "simulate" && attempt.command.contains("a.mp4"), "\(attempt.command)")
            #expect(attempt.lines.contains { $0.contains("simulated failure") }, "\(attempt.lines)")
            for secretText in ["tk_test_app_a_000001", secret, f.data.url.path] {
                #expect(!reply.text.contains(secretText), "GetLog shows \(secretText)")
            }

            // The same organization's other app sees it; another organization's does not.
            #expect(try await f.a2.call("JobService/GetLog", #"{"id":"\#(job.id)"}"#).status == 200)
            let foreign = try await f.b.call("JobService/GetLog", #"{"id":"\#(job.id)"}"#)
            #expect(foreign.status == 404 && foreign.code == "not_found", "\(foreign.text)")
            #expect(!foreign.text.contains("simulated"))
            let missing = try await f.a.call("JobService/GetLog", #"{"id":"job_nope"}"#)
            #expect(missing.status == 404 && missing.code == "not_found")
            let bad = try await f.a.call("JobService/GetLog", #"{"id":"\#(job.id)","verbose":true}"#)
            #expect(bad.status == 400 && bad.code == "invalid_argument" && bad.text.contains("verbose"), "\(bad.text)")
        }
    }

    @Test func aCompletedAttemptKeepsItsCommandButNotItsLines() async throws {
        try await ServerFixture.with(spec: "probe=0,encode=0") { f in
            let job = try await f.a.create(path: "a.mp4", key: "log-ok").decode(JobResponse.self).job
            #expect(try await f.finished(job.id).status == .completed)
            let log = try await f.a.call("JobService/GetLog", #"{"id":"\#(job.id)"}"#).decode(JobLog.self)
            #expect(log.attempts.map(\.outcome) == ["completed"])
            #expect(log.attempts[0].command.first == "simulate" && log.attempts[0].lines.isEmpty)
        }
    }
}
