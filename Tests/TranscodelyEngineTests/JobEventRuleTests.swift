import Testing
import TranscodelyAPI
@testable import TranscodelyEngine

/// The rule every store applies to say which webhook event a job change gives.
@Suite struct JobEventRuleTests {
    let request = CreateJobRequest(inputOriginID: "i", inputPath: "a.mp4", outputOriginID: "o",
                                   outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])])
    func job(_ status: JobStatus, progress: Double = 0, at micros: Int64) -> Job {
        Job(id: "job_1", status: status, progress: progress, request: request,
            createdAt: Timestamp(microseconds: 1), updatedAt: Timestamp(microseconds: micros))
    }

    @Test func anEndGivesItsEventOnceAndProgressIsThrottled() {
        let rule = JobEventRule(progressInterval: 1_000)
        #expect(rule.kind(from: job(.pending, at: 1), to: job(.probing, at: 2)) == .progress)
        #expect(rule.kind(from: job(.probing, at: 2), to: job(.processing, at: 500)) == nil)
        #expect(rule.kind(from: job(.processing, at: 500), to: job(.processing, progress: 10, at: 1_002)) == .progress)
        #expect(rule.kind(from: job(.processing, progress: 10, at: 1_002), to: job(.processing, progress: 10, at: 5_000)) == nil)
        #expect(rule.kind(from: job(.processing, progress: 10, at: 1_002), to: job(.completed, progress: 100, at: 1_003)) == .completed)
        #expect(rule.kind(from: job(.completed, progress: 100, at: 1_003), to: job(.canceled, progress: 100, at: 1_004)) == nil)
    }
}
