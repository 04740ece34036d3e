import Foundation
import Testing
import TranscodelyAPI
import TranscodelyTestSupport

/// Idempotency, listing and cancelling over real HTTP.
@Suite(.timeLimit(.minutes(5))) struct JobServiceTests {
    static let body = #"{"input_origin_id":"ori_local_input","input_path":"a.mp4","output_origin_id":"ori_local_output","idempotency_key":"ep-01","priority":"economy","metadata":{"batch_id":"b1"},"outputs":[{"type":"hls","video":[{"codec":"h264","resolution":"1080p"},{"codec":"h264","resolution":"480p","quality":"economy"}]}]}"#
    static let sameInOtherSpelling = #"{"outputs":[{"video":[{"codec":"VIDEO_CODEC_H264","resolution":"RESOLUTION_1080P","quality":"standard"},{"codec":"h264","resolution":"480p","quality":"QUALITY_TIER_ECONOMY"}],"type":"OUTPUT_FORMAT_HLS"}],"metadata":{"batch_id":"b1"},"priority":"PRIORITY_ECONOMY","idempotencyKey":"ep-01","outputOriginId":"ori_local_output","inputPath":"a.mp4","inputOriginId":"ori_local_input"}"#

    @Test func sameKeySameParametersReplaysTheJob() async throws {
        try await ServerFixture.with { f in
            let first = try await f.a.call("JobService/Create", Self.body)
            #expect(first.status == 200 && first.header("Idempotent-Replayed") == nil)
            let job = try first.decode(JobResponse.self).job
            #expect(job.status == .pending && job.id.hasPrefix("job_") && job.priority == .economy)
            let again = try await f.a.call("JobService/Create", Self.sameInOtherSpelling)
            #expect(again.status == 200 && again.header("Idempotent-Replayed") == "true")
            #expect(try again.decode(JobResponse.self).job.id == job.id)
            // Replays come back whatever the job's status is now.
            _ = try await f.finished(job.id)
            let later = try await f.a.call("JobService/Create", Self.body)
            #expect(try later.decode(JobResponse.self).job.id == job.id && later.header("Idempotent-Replayed") == "true")
        }
    }

    @Test func sameKeyDifferentParametersIsAlreadyExistsNamingTheJob() async throws {
        try await ServerFixture.with { f in
            let job = try await f.a.call("JobService/Create", Self.body).decode(JobResponse.self).job
            let changed = Self.body.replacingOccurrences(of: #""priority":"economy""#, with: #""priority":"premium""#)
            let reply = try await f.a.call("JobService/Create", changed)
            #expect(reply.status == 409 && reply.code == "already_exists")
            #expect(reply.message.contains("\"ep-01\"") && reply.message.contains(job.id))
        }
    }

    @Test func keysAreScopedToTheApp() async throws {
        try await ServerFixture.with { f in
            let mine = try await f.a.call("JobService/Create", Self.body).decode(JobResponse.self).job
            let theirs = try await f.a2.call("JobService/Create", Self.body)
            #expect(theirs.header("Idempotent-Replayed") == nil)
            #expect(try theirs.decode(JobResponse.self).job.id != mine.id)
        }
    }

    @Test func twoHundredConcurrentCreatesWithOneKeyMakeOneJob() async throws {
        try await ServerFixture.with { f in
            let replies = try await withThrowingTaskGroup(of: APICaller.Reply.self) { group in
                for _ in 0..<200 { group.addTask { try await f.a.call("JobService/Create", Self.body) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 200 })
            let ids = Set(try replies.map { try $0.decode(JobResponse.self).job.id })
            #expect(ids.count == 1)
            #expect(replies.filter { $0.header("Idempotent-Replayed") == nil }.count == 1)
            let listed = try await f.a.call("JobService/List", #"{"page_size":1000}"#).decode(ListJobsResponse.self)
            #expect(listed.jobs.count == 1)
        }
    }

    @Test func listFiltersPagesAndFollowsUpdatedSince() async throws {
        try await ServerFixture.with(spec: "probe=0,encode=0") { f in
            var created: [String] = []
            for i in 0..<20 {
                let reply = try await f.a.create(path: "a.mp4", key: "k\(i)", extra: #","metadata":{"batch_id":"\#(i % 2 == 0 ? "even" : "odd")"}"#)
                created.append(try reply.decode(JobResponse.self).job.id)
            }
            created.append(try await f.a.create(path: "missing.mp4", key: "lost").decode(JobResponse.self).job.id)
            // Every job ends quickly with probe=0,encode=0; paged once they all have (a job that
            // changes while the pages are read moves behind the cursor and is listed again).
            for id in created { _ = try await f.finished(id) }
            var all: [Job] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await f.a.call("JobService/List", #"{"page_size":7,"page_token":"\#(token)"}"#).decode(ListJobsResponse.self)
                all += page.jobs
                token = page.nextPageToken
                pages += 1
            } while !token.isEmpty
            #expect(all.count == 21 && pages == 3 && Set(all.map(\.id)).count == 21)
            #expect(zip(all, all.dropFirst()).allSatisfy { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) })

            let even = try await f.a.call("JobService/List", #"{"metadata":{"batch_id":"even"}}"#).decode(ListJobsResponse.self)
            #expect(even.jobs.count == 10 && even.jobs.allSatisfy { $0.metadata["batch_id"] == "even" })
            _ = try await f.a.create(key: "odd-key", extra: #","metadata":{"we\"ird\\key":"v"}"#)
            let weird = try await f.a.call("JobService/List", #"{"metadata":{"we\"ird\\key":"v"}}"#).decode(ListJobsResponse.self)
            #expect(weird.jobs.map(\.idempotencyKey) == ["odd-key"])

            let lost = try await f.finished(try #require(all.first { $0.idempotencyKey == "lost" }).id)
            #expect(lost.error?.code == "input_not_found")
            let failed = try await f.a.call("JobService/List", #"{"status":"failed"}"#).decode(ListJobsResponse.self)
            #expect(failed.jobs.map(\.id) == [lost.id])

            // A watcher: everything changed after T, in one request.
            let newest = try await f.a.call("JobService/List", #"{"page_size":1000}"#).decode(ListJobsResponse.self).jobs
            let since = newest[newest.count - 3].updatedAt
            let changed = try await f.a.call("JobService/List", #"{"updated_since":"\#(since.rfc3339)"}"#).decode(ListJobsResponse.self)
            #expect(changed.jobs.map(\.id) == newest.suffix(2).map(\.id))

            let first = try await f.a.call("JobService/List", #"{"page_size":5}"#).decode(ListJobsResponse.self)
            let mixed = try await f.a.call("JobService/List", #"{"page_size":5,"status":"completed","page_token":"\#(first.nextPageToken)"}"#)
            #expect(mixed.status == 400 && mixed.code == "out_of_range")
        }
    }

    @Test func cancelStopsARunningJobAndEndsItForGood() async throws {
        // One worker: when it takes the next job, it has let go of the cancelled one.
        try await ServerFixture.with(spec: "probe=0,encode=30", workers: 1) { f in
            /// Polls Get until the job is processing (10 s at most); the job as last read.
            func processing(_ id: String) async throws -> Job {
                let deadline = ContinuousClock.now + .seconds(10)
                while true {
                    let now = try await f.a.call("JobService/Get", #"{"id":"\#(id)"}"#).decode(JobResponse.self).job
                    if now.status == .processing || ContinuousClock.now > deadline { return now }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let job = try await f.a.create(key: "long").decode(JobResponse.self).job
            #expect(try await processing(job.id).status == .processing)
            let canceled = try await f.a.call("JobService/Cancel", #"{"id":"\#(job.id)"}"#)
            #expect(canceled.status == 200)
            let ended = try canceled.decode(JobResponse.self).job
            #expect(ended.status == .canceled)
            let next = try await f.a.create(key: "next").decode(JobResponse.self).job
            #expect(try await processing(next.id).status == .processing, "the worker never came back from the cancelled encode")
            let after = try await f.a.call("JobService/Get", #"{"id":"\#(job.id)"}"#).decode(JobResponse.self).job
            #expect(after.status == .canceled && after.completedAt != nil && after.updatedAt == ended.updatedAt)
        }
    }

    @Test func originsAndTheirFilesAreListed() async throws {
        try await ServerFixture.with { f in
            try f.data.write("origins/input/uploads/ep-1.mp4", "1")
            try f.data.write("origins/input/uploads/ep-2.mp4", "22")
            let origins = try await f.a.call("OriginService/List", "{}").decode(ListOriginsResponse.self).origins
            #expect(origins.map(\.id) == ["ori_local_input", "ori_local_output"])
            let one = try await f.a.call("OriginService/Get", #"{"id":"ori_local_input"}"#).decode(OriginResponse.self)
            #expect(one.origin.kind == "local")
            #expect(try await f.a.call("OriginService/Get", #"{"id":"ori_x"}"#).status == 404)
            let files = try await f.a.call("OriginService/ListFiles", #"{"origin_id":"ori_local_input","prefix":"uploads/"}"#)
                .decode(ListFilesResponse.self)
            #expect(files.files.map(\.path) == ["uploads/ep-1.mp4", "uploads/ep-2.mp4"])
            #expect(files.files.map(\.sizeBytes) == [1, 2])
        }
    }
}
