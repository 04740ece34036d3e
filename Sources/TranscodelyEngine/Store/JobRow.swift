import Foundation
import GRDB
import Synchronization
import TranscodelyAPI

/// Turns rows of the `jobs` table into wire jobs, and job parts into column values.
enum JobRow {
    /// The columns a `Job` is read from, in this order.
    static let columns = """
        id, status, progress, priority, input_origin_id, input_path, output_origin_id, idempotency_key,
        metadata, outputs, input, results, error_code, error_message, created_at, updated_at, started_at, completed_at,
        error_detail
        """

    /// Reads a row selected with `columns` first. Columns are read by position: by name, GRDB
    /// lowercases each name on every access, which showed in profiles of Get.
    /// How many columns `columns` selects; a query may select more after them.
    static let columnCount = 19

    static func job(_ row: Row) throws -> Job {
        let decoder = JSONDecoder()
        func json<T: Decodable>(_ type: T.Type, _ index: Int) throws -> T? {
            guard let text: String = row[index] else { return nil }
            return try decoder.decode(type, from: Data(text.utf8))
        }
        let metadataText: String = row[8]
        let request = CreateJobRequest(
            inputOriginID: row[4], inputPath: row[5], outputOriginID: row[6], idempotencyKey: row[7],
            priority: priority(rank: row[3]),
            metadata: metadataText == "{}" ? [:] : try decoder.decode([String: String].self, from: Data(metadataText.utf8)),
            outputs: try outputs(row[9]))
        var job = Job(id: row[0], status: JobStatus(rawValue: row[1]) ?? .failed, progress: row[2],
                      request: request, createdAt: Timestamp(microseconds: row[14]), updatedAt: Timestamp(microseconds: row[15]))
        job.input = try json(MediaInfo.self, 10)
        job.results = try json([OutputResult].self, 11)
        if let detail = try json(JobError.self, 18) {
            job.error = detail
        } else if let code: String = row[12] {
            job.error = JobError(code: JobError.Code(rawValue: code) ?? .internal, message: row[13] ?? "")
        }
        job.startedAt = (row[16] as Int64?).map(Timestamp.init(microseconds:))
        job.completedAt = (row[17] as Int64?).map(Timestamp.init(microseconds:))
        return job
    }

    /// Decoded outputs by their stored text: the jobs of a batch share one output list, and
    /// decoding it was the largest cost of reading a job (profile of Get).
    private static let decodedOutputs = Mutex<[String: [OutputSpec]]>([:])

    static func outputs(_ text: String) throws -> [OutputSpec] {
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
    static func text(_ value: some JSONWritable) -> String {
        value.jsonBytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    static func text(_ values: [some JSONWritable]) -> String {
        var writer = JSONWriter()
        writer.beginArray()
        for value in values { value.write(to: &writer) }
        writer.endArray()
        return writer.text
    }

    static func metadataText(_ metadata: [String: String]) -> String {
        if metadata.isEmpty { return "{}" }
        var writer = JSONWriter()
        writer.stringMap(metadata)
        return writer.text
    }

    /// Outputs are stored as `{"outputs": [...]}`.
    static func outputsText(_ outputs: [OutputSpec]) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("outputs", outputs)
        writer.endObject()
        return writer.text
    }

    static func priority(rank: Int) -> Priority {
        Priority.allCases.first { $0.rank == rank } ?? .standard
    }
}
