import Foundation
import Testing
import TranscodelyAPI
@testable import TranscodelyShell

/// What `why` says of a failure from the wire error alone: against an API that sends only `code`
/// and `message` (no category, retryable or phase) it falls back to what the code implies.
@Suite struct FailureVerdictTests {
    func job(error: String) throws -> Job {
        let json = """
            {"id":"job_1","status":"failed","input_origin_id":"ori_in","input_path":"uploads/a b.mp4","output_origin_id":"ori_out",
             "created_at":"2026-12-01T10:00:00Z","updated_at":"2026-12-01T10:00:01Z","error":\(error)}
            """
        return try JSONDecoder().decode(Job.self, from: Data(json.utf8))
    }

    @Test func anAPIWithoutFailureDetailsStillGetsAVerdictFromTheCode() throws {
        let missing = try #require(FailureVerdict(try job(error: #"{"code":"input_not_found","message":"gone"}"#)))
        #expect(missing.sentence == "input_not_found (input): the input file is not in its origin; a retry may succeed")
        #expect(missing.location == nil)
        #expect(missing.next(newest: missing.job) == ["files ori_in uploads/", "retry-failed job_1"])

        let unreadable = try #require(FailureVerdict(try job(error: #"{"code":"input_unreadable","message":"bad"}"#)))
        #expect(unreadable.retryable == false && unreadable.sentence.hasSuffix("a retry of the same request will not help"))

        let encode = try #require(FailureVerdict(try job(error: #"{"code":"encode_failed","message":"?"}"#)))
        #expect(encode.retryable == nil && encode.sentence.hasSuffix("the API does not say whether a retry can help"))

        // A newer server's unknown category or phase reads as absent, not as an error.
        let newer = try #require(FailureVerdict(try job(error: #"{"code":"encode_failed","message":"?","category":"quantum","phase":"warp","retryable":true}"#)))
        #expect(newer.error.category == nil && newer.error.phase == nil && newer.retryable == true)
        #expect(newer.sentence == "encode_failed (engine): the encoder stopped before it finished; a retry may succeed")
    }

    @Test func theLinesThatMatterAreTheErrorsThenTheLastContext() {
        let lines = ["frame=1", "[h264 @ 0x1] error while decoding MB 3 4", "frame=2", "frame=3", "…", "frame=4",
                     "uploads/a.mp4: Invalid data found when processing input"]
        let (errors, context) = FailureVerdict.lines(thatMatter: lines)
        #expect(errors == ["[h264 @ 0x1] error while decoding MB 3 4", "uploads/a.mp4: Invalid data found when processing input"])
        #expect(context == ["frame=2", "frame=3", "frame=4"])
    }
}
