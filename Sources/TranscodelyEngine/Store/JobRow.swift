import Foundation
import GRDB
import Synchronization
import TranscodelyAPI

/// Turns rows of the `jobs` table into wire jobs, and job parts into column values: the SQLite
/// store's rows, and (through `JobColumns`) any other store's.
public enum JobRow {
    /// The columns a `Job` is read from, in this order.
    public static let columns = """
        id, status, progress, priority, input_origin_id, input_path, output_origin_id, idempotency_key,
        metadata, outputs, input, results, error_code, error_message, created_at, updated_at, started_at, completed_at,
        error_detail
        """

    /// Reads a row selected with `columns` first. Columns are read by position: by name, GRDB
    /// lowercases each name on every access, which showed in profiles of Get.
    /// How many columns `columns` selects; a query may select more after them.
    public static let columnCount = 19

    static func job(_ row: Row) throws -> Job {
        try job(JobColumns(
            id: row[0], status: row[1], progress: row[2], priority: row[3], inputOriginID: row[4], inputPath: row[5],
            outputOriginID: row[6], idempotencyKey: row[7], metadata: row[8], outputs: row[9], input: row[10],
            results: row[11], errorCode: row[12], errorMessage: row[13], createdAt: row[14], updatedAt: row[15],
            startedAt: row[16], completedAt: row[17], errorDetail: row[18]))
    }

    /// A job from its stored columns, whichever store read them.
    public static func job(_ row: JobColumns) throws -> Job {
        let decoder = JSONDecoder()
        func json<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T? {
            guard let text else { return nil }
            return try decoder.decode(type, from: Data(text.utf8))
        }
        let request = CreateJobRequest(
            inputOriginID: row.inputOriginID, inputPath: row.inputPath, outputOriginID: row.outputOriginID,
            idempotencyKey: row.idempotencyKey, priority: priority(rank: row.priority),
            metadata: row.metadata == "{}" ? [:] : try decoder.decode([String: String].self, from: Data(row.metadata.utf8)),
            outputs: try outputs(row.outputs))
        var job = Job(id: row.id, status: JobStatus(rawValue: row.status) ?? .failed, progress: row.progress,
                      request: request, createdAt: Timestamp(microseconds: row.createdAt), updatedAt: Timestamp(microseconds: row.updatedAt))
        job.input = try json(MediaInfo.self, row.input)
        job.results = try json([OutputResult].self, row.results)
        if let detail = try json(JobError.self, row.errorDetail) {
            job.error = detail
        } else if let code = row.errorCode {
            job.error = JobError(code: JobError.Code(rawValue: code) ?? .internal, message: row.errorMessage ?? "")
        }
        job.startedAt = row.startedAt.map(Timestamp.init(microseconds:))
        job.completedAt = row.completedAt.map(Timestamp.init(microseconds:))
        return job
    }

    /// Decoded outputs by their stored text: the jobs of a batch share one output list, and
    /// decoding it was the largest cost of reading a job (profile of Get).
    private static let decodedOutputs = Mutex<[String: [OutputSpec]]>([:])

    public static func outputs(_ text: String) throws -> [OutputSpec] {
        if let known = decodedOutputs.withLock({ $0[text] }) { return known }
        let outputs = try JSONDecoder().decode(Wrapped.self, from: Data(text.utf8)).outputs
        decodedOutputs.withLock { cache in
            if cache.count >= 512 { cache.removeAll(keepingCapacity: true) }
            cache[text] = outputs
        }
        return outputs
    }

    /// Outputs are stored as `{"outputs": [...]}`, decoded strictly like a request's.
    struct Wrapped: Codable {
        var outputs: [OutputSpec]
    }

    /// A wire value as stored JSON text.
    public static func text(_ value: some JSONWritable) -> String {
        value.jsonBytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    public static func text(_ values: [some JSONWritable]) -> String {
        var writer = JSONWriter()
        writer.beginArray()
        for value in values { value.write(to: &writer) }
        writer.endArray()
        return writer.text
    }

    /// Strings as a JSON array's text (an attempt's command and lines).
    public static func jsonArray(_ values: [String]) -> String {
        var writer = JSONWriter()
        writer.beginArray()
        for value in values { writer.string(value) }
        writer.endArray()
        return writer.text
    }

    public static func metadataText(_ metadata: [String: String]) -> String {
        if metadata.isEmpty { return "{}" }
        var writer = JSONWriter()
        writer.stringMap(metadata)
        return writer.text
    }

    /// Outputs are stored as `{"outputs": [...]}`.
    public static func outputsText(_ outputs: [OutputSpec]) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("outputs", outputs)
        writer.endObject()
        return writer.text
    }

    public static func priority(rank: Int) -> Priority {
        Priority.allCases.first { $0.rank == rank } ?? .standard
    }
}
