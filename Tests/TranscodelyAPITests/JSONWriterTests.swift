import Foundation
import Testing
import TranscodelyAPI

/// The fast writer must say exactly what `JSONEncoder` (sorted keys) says: canonical forms stored
/// by one must compare equal to those made by the other.
@Suite(.timeLimit(.minutes(5))) struct JSONWriterTests {
    func encoderText<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try WireCoding.canonicalEncoder().encode(value), as: UTF8.self)
    }

    let request = CreateJobRequest(
        inputOriginID: "ori_in", inputPath: "uploads/\"quoted\" \\ back/slash\ttab\nline\u{01}é☃.mp4",
        outputOriginID: "ori_out", idempotencyKey: "k", priority: .premium,
        metadata: ["z": "last", "a": "first", "batch_id": "b/1", "ünï": "cödé"],
        outputs: [OutputSpec(type: .hls, video: [VideoVariant(codec: .h264, resolution: .r1080p),
                                                   VideoVariant(codec: .av1, resolution: .r360p, quality: .economy)]),
                  OutputSpec(type: .mp4, video: [VideoVariant(codec: .vp9, resolution: .r2160p, quality: .premium)])])

    @Test func requestsMatchTheEncoderByteForByte() throws {
        #expect(request.jsonBytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } == (try encoderText(request)))
        var bare = request
        bare.metadata = [:]
        bare.idempotencyKey = nil
        #expect(bare.canonicalForm == (try encoderText(bare)))
    }

    @Test func jobsMatchTheEncoderAndDecodeBack() throws {
        var job = Job(id: "job_1", status: .completed, progress: 100, request: request,
                      createdAt: Timestamp(microseconds: 1_772_273_730_123_456), updatedAt: Timestamp(microseconds: 1_772_273_731_000_000))
        job.input = MediaInfo(durationSeconds: 10.5, width: 1920, height: 1080, videoCodec: "h264", frameRate: 29.97, hasAudio: true)
        job.results = [OutputResult(type: .hls, path: "jobs/job_1/hls/master.m3u8", sizeBytes: 1_234_567, durationSeconds: 10.5,
                                    variants: [VariantResult(resolution: .r1080p, path: "a", bitrateKbps: 4500, codec: .h264,
                                                             width: 1920, height: 1080, note: "n")])]
        job.error = JobError(code: .encodeFailed, message: "boom \"x\"")
        job.startedAt = Timestamp(microseconds: 1_772_273_730_500_000)
        job.completedAt = Timestamp(microseconds: 1_772_273_731_000_000)
        let written = JobResponse(job: job).jsonBytes
        #expect(String(decoding: written, as: UTF8.self) == (try encoderText(JobResponse(job: job))))
        #expect(try JSONDecoder().decode(JobResponse.self, from: Data(written)).job == job)
        job.progress = 42.5
        let list = ListJobsResponse(jobs: [job, job], nextPageToken: "t")
        #expect(String(decoding: list.jsonBytes, as: UTF8.self) == (try encoderText(list)))
    }
}
