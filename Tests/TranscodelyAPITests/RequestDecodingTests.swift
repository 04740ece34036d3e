import Foundation
import Testing
@testable import TranscodelyAPI

/// Requests decode the way proto3 JSON parsers do, and reject what a typo would let through.
@Suite(.timeLimit(.minutes(5))) struct RequestDecodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws(ConnectError) -> T {
        try WireCoding.decodeRequest(type, from: Data(json.utf8))
    }

    func message<T: Decodable>(_ type: T.Type, _ json: String) -> String? {
        do { _ = try decode(type, json); return nil } catch { return error.code == .invalidArgument ? error.message : "code \(error.code)" }
    }

    let snake = """
        {"input_origin_id":"ori_in","input_path":"uploads/a.mp4","output_origin_id":"ori_out","idempotency_key":"k",
         "priority":"economy","metadata":{"batch_id":"b1"},
         "outputs":[{"type":"hls","video":[{"codec":"h264","resolution":"1080p","quality":"standard"},{"codec":"h264","resolution":"480p","quality":"economy"}]}]}
        """
    let camelProto = """
        {"outputs":[{"video":[{"resolution":"RESOLUTION_1080P","codec":"VIDEO_CODEC_H264"},{"quality":"QUALITY_TIER_ECONOMY","codec":"h264","resolution":"480p"}],"type":"OUTPUT_FORMAT_HLS"}],
         "metadata":{"batch_id":"b1"},"priority":"PRIORITY_ECONOMY","idempotencyKey":"other-key",
         "outputOriginId":"ori_out","inputPath":"uploads/a.mp4","inputOriginId":"ori_in"}
        """

    @Test func snakeAndCamelAndProtoSpellingsMeanTheSameRequest() throws {
        let a = try decode(CreateJobRequest.self, snake)
        let b = try decode(CreateJobRequest.self, camelProto)
        #expect(a.inputOriginID == "ori_in" && b.inputOriginID == "ori_in")
        #expect(b.outputs[0].type == .hls && b.outputs[0].video[0].resolution == .r1080p)
        #expect(b.priority == .economy)
        // The key is not a parameter; omitted quality is the default; field order does not count.
        #expect(a.canonicalForm == b.canonicalForm)
        #expect(a.idempotencyKey != b.idempotencyKey)
    }

    @Test func canonicalFormChangesWithAnyParameter() throws {
        let a = try decode(CreateJobRequest.self, snake)
        var b = a
        b.outputs[0].video[1].quality = .standard
        #expect(a.canonicalForm != b.canonicalForm)
        var c = a
        c.metadata["x"] = "1"
        #expect(a.canonicalForm != c.canonicalForm)
        var d = a
        d.priority = .standard
        #expect(a.canonicalForm != d.canonicalForm)
    }

    @Test func unknownFieldsAreRejectedByName() {
        #expect(message(CreateJobRequest.self, #"{"input_pth":"a"}"#)?.hasPrefix("input_pth: unknown field") == true)
        #expect(message(CreateJobRequest.self, """
            {"input_origin_id":"a","input_path":"b","output_origin_id":"c","outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p","qualty":"economy"}]}]}
            """)?.hasPrefix("outputs[0].video[0].qualty: unknown field") == true)
        #expect(message(JobIDRequest.self, #"{"id":"job_1","force":true}"#)?.hasPrefix("force: unknown field") == true)
    }

    @Test func badValuesNameTheFieldAndTheChoices() {
        #expect(message(CreateJobRequest.self, """
            {"input_origin_id":"a","input_path":"b","output_origin_id":"c","outputs":[{"type":"mp4","video":[{"codec":"h263","resolution":"720p"}]}]}
            """) == #"outputs[0].video[0].codec: video codec "h263" is not known; expected one of h264, h265, vp9, av1"#)
        #expect(message(CreateJobRequest.self, #"{"input_origin_id":5}"#) == "input_origin_id: expected a string")
        #expect(message(CreateJobRequest.self, #"{"input_path":"b","output_origin_id":"c","outputs":[]}"#) == "input_origin_id: is required")
        #expect(message(CreateJobRequest.self, "{not json") == "the request body is not valid JSON")
        #expect(message(CreateJobRequest.self, "[1,2]") == "the request body must be a JSON object")
        #expect(message(ListJobsRequest.self, #"{"page_size":0}"#) == "page_size: must be 1 to 1000, got 0")
        #expect(message(ListJobsRequest.self, #"{"updated_since":"yesterday"}"#)?.hasPrefix("updated_since: \"yesterday\" is not an RFC 3339") == true)
        #expect(message(CreateJobRequest.self, #"{"inputOriginId":"a","input_origin_id":"b"}"#)?.contains("given twice") == true)
    }

    @Test func listStatusTakesOneValueOrAnArray() throws {
        #expect(try decode(ListJobsRequest.self, #"{"status":"completed"}"#).status == [.completed])
        #expect(try decode(ListJobsRequest.self, #"{"status":["failed","JOB_STATUS_CANCELED"]}"#).status == [.failed, .canceled])
        #expect(message(ListJobsRequest.self, #"{"status":["done"]}"#)?.hasPrefix(#"status[0]: job status "done" is not known"#) == true)
        #expect(try decode(ListJobsRequest.self, "").status.isEmpty)
    }

    @Test func validationEnforcesTheContractsLimits() throws {
        var request = try decode(CreateJobRequest.self, snake)
        #expect(throws: Never.self) { try request.validate() }
        func fails(_ change: (inout CreateJobRequest) -> Void) -> String? {
            var copy = request
            change(&copy)
            do { try copy.validate(); return nil } catch { return error.message }
        }
        #expect(fails { $0.outputs = [] } == "outputs: a job takes 1 to 10 outputs, got 0")
        #expect(fails { $0.outputs = Array(repeating: $0.outputs[0], count: 11) } == "outputs: a job takes 1 to 10 outputs, got 11")
        #expect(fails { $0.outputs[0].video = Array(repeating: $0.outputs[0].video[0], count: 9) }?.hasPrefix("outputs[0].video: an output takes 1 to 8") == true)
        #expect(fails { $0.outputs[0].type = .mp4 }?.contains("exactly one video variant") == true)
        #expect(fails { $0.idempotencyKey = "" }?.hasPrefix("idempotency_key: must be 1 to 255") == true)
        #expect(fails { $0.idempotencyKey = String(repeating: "k", count: 256) }?.hasPrefix("idempotency_key: must be 1 to 255") == true)
        #expect(fails { $0.idempotencyKey = "tab\there" } == "idempotency_key: only printable ASCII is allowed; character 4 is not")
        #expect(fails { $0.idempotencyKey = "é" }?.contains("printable ASCII") == true)
        #expect(fails { for i in 0..<33 { $0.metadata["k\(i)"] = "v" } } == "metadata: at most 32 entries, got 34")
        #expect(fails { $0.metadata[String(repeating: "m", count: 65)] = "v" }?.contains("at most 64") == true)
        #expect(fails { $0.metadata["big"] = String(repeating: "v", count: 513) }?.contains("at most 512") == true)
        request.idempotencyKey = String(repeating: "k", count: 255)
        #expect(throws: Never.self) { try request.validate() }
    }
}

@Suite(.timeLimit(.minutes(5))) struct WireValueTests {
    @Test func timestampsRoundTripWithMicroseconds() throws {
        let text = "2026-02-28T10:15:30.123456Z"
        let stamp = try #require(Timestamp(rfc3339: text))
        #expect(stamp.rfc3339 == text)
        #expect(Timestamp(rfc3339: "2026-02-28T11:15:30.123456+01:00") == stamp)
        #expect(Timestamp(rfc3339: "2026-02-28T10:15:30.1234567Z") == stamp)
        #expect(Timestamp(rfc3339: "2026-02-28T10:15:30Z")?.rfc3339 == "2026-02-28T10:15:30.000000Z")
        #expect(Timestamp(microseconds: 0).rfc3339 == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(microseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
        for bad in ["", "2026-02-28", "2026-13-01T00:00:00Z", "2026-02-28T10:15:30", "2026-02-28T10:15:30.Z", "x026-02-28T10:15:30Z"] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test func everyConnectCodeHasTheStatusOfTheContract() {
        let table: [ConnectError.Code: Int] = [
            .invalidArgument: 400, .failedPrecondition: 400, .outOfRange: 400, .unauthenticated: 401,
            .permissionDenied: 403, .notFound: 404, .alreadyExists: 409, .aborted: 409, .resourceExhausted: 429,
            .canceled: 499, .unimplemented: 501, .internal: 500, .unavailable: 503, .deadlineExceeded: 504,
        ]
        for (code, status) in table { #expect(code.httpStatus == status, "\(code)") }
        #expect(ConnectError.Code(httpStatus: 429) == .resourceExhausted)
        #expect(ConnectError.Code(httpStatus: 503) == .unavailable)
        #expect(ConnectError.Code(httpStatus: 418) == .unknown)
    }

    @Test func jobsDecodeLenientlySoNewServerFieldsDoNotBreakClients() throws {
        let json = """
            {"id":"job_1","status":"processing","progress":42.5,"created_at":"2026-02-28T10:15:30.123456Z",
             "updated_at":"2026-02-28T10:15:31.000000Z","some_future_field":{"x":1}}
            """
        let job = try JSONDecoder().decode(Job.self, from: Data(json.utf8))
        #expect(job.status == .processing && job.progress == 42.5)
    }
}
