import Testing
import TranscodelyAPI
@testable import TranscodelyEngine

/// The state machine of API.md, in the one place that enforces it.
@Suite(.timeLimit(.minutes(5))) struct JobTransitionTests {
    let request = CreateJobRequest(inputOriginID: "i", inputPath: "a.mp4", outputOriginID: "o",
                                   outputs: [OutputSpec(type: .mp4, video: [VideoVariant(codec: .h264, resolution: .r720p)])])
    func job(_ status: JobStatus, progress: Double = 0) -> Job {
        Job(id: "job_1", status: status, progress: progress, request: request,
            createdAt: Timestamp(microseconds: 1), updatedAt: Timestamp(microseconds: 1))
    }
    let now = Timestamp(microseconds: 10)
    let info = MediaInfo(durationSeconds: 1, width: 2, height: 2, videoCodec: "h264", frameRate: 1, hasAudio: false)

    @Test func theHappyPathWalksForward() throws {
        var current = job(.pending)
        current = try #require(JobTransition.probing.apply(to: current, at: now))
        #expect(current.status == .probing && current.startedAt == now)
        current = try #require(JobTransition.probed(info).apply(to: current, at: now))
        #expect(current.status == .processing && current.input == info)
        current = try #require(JobTransition.progress(40).apply(to: current, at: now))
        current = try #require(JobTransition.completed([]).apply(to: current, at: now))
        #expect(current.status == .completed && current.progress == 100 && current.completedAt == now)
    }

    @Test func terminalStatesNeverChange() {
        for status in [JobStatus.completed, .failed, .canceled] {
            for transition in [JobTransition.probing, .probed(info), .progress(50), .completed([]),
                               .failed(JobError(code: .internal, message: "x")), .canceled, .requeued] {
                #expect(transition.apply(to: job(status), at: now) == nil, "\(status) \(transition)")
            }
        }
    }

    @Test func progressNeverGoesBackAndStaysWithin0To100() {
        #expect(JobTransition.progress(30).apply(to: job(.processing, progress: 50), at: now) == nil)
        #expect(JobTransition.progress(150).apply(to: job(.processing, progress: 50), at: now)?.progress == 100)
        #expect(JobTransition.progress(10).apply(to: job(.probing), at: now) == nil)
    }

    @Test func outOfOrderStepsAreRefused() {
        #expect(JobTransition.completed([]).apply(to: job(.probing), at: now) == nil)
        #expect(JobTransition.probed(info).apply(to: job(.pending), at: now) == nil)
        #expect(JobTransition.failed(JobError(code: .internal, message: "")).apply(to: job(.pending), at: now) == nil)
        #expect(JobTransition.requeued.apply(to: job(.pending), at: now) == nil)
        #expect(JobTransition.requeued.apply(to: job(.processing, progress: 60), at: now)?.progress == 60)
        #expect(JobTransition.canceled.apply(to: job(.pending), at: now)?.status == .canceled)
    }
}
