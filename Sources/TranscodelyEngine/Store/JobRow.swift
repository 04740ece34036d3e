import Foundation
import GRDB
import TranscodelyAPI

/// Turns rows of the `jobs` table into wire jobs, and job parts into column values.
enum JobRow {
    /// The columns a `Job` is read from, in this order.
    static let columns = """
        id, status, progress, priority, input_origin_id, input_path, output_origin_id, idempotency_key,
        metadata, outputs, input, results, error_code, error_message, created_at, updated_at, started_at, completed_at
        """

    static func job(_ row: Row) throws -> Job {
        let decoder = JSONDecoder()
        func json<T: Decodable>(_ type: T.Type, _ column: String) throws -> T? {
            guard let text: String = row[column] else { return nil }
            return try decoder.decode(type, from: Data(text.utf8))
        }
        let request = CreateJobRequest(
            inputOriginID: row["input_origin_id"], inputPath: row["input_path"],
            outputOriginID: row["output_origin_id"], idempotencyKey: row["idempotency_key"],
            priority: priority(rank: row["priority"]),
            metadata: try json([String: String].self, "metadata") ?? [:],
            outputs: try json(Wrapped.self, "outputs")?.outputs ?? [])
        var job = Job(id: row["id"], status: JobStatus(rawValue: row["status"]) ?? .failed, progress: row["progress"],
                      request: request, createdAt: Timestamp(microseconds: row["created_at"]),
                      updatedAt: Timestamp(microseconds: row["updated_at"]))
        job.input = try json(MediaInfo.self, "input")
        job.results = try json([OutputResult].self, "results")
        if let code: String = row["error_code"] {
            job.error = JobError(code: JobError.Code(rawValue: code) ?? .internal, message: row["error_message"] ?? "")
        }
        job.startedAt = (row["started_at"] as Int64?).map(Timestamp.init(microseconds:))
        job.completedAt = (row["completed_at"] as Int64?).map(Timestamp.init(microseconds:))
        return job
    }

    /// Outputs are stored as `{"outputs": [...]}`, decoded strictly like a request's.
    struct Wrapped: Codable {
        var outputs: [OutputSpec]
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        // Wire types hold only strings, numbers and enums: encoding them cannot fail.
        String(decoding: (try? WireCoding.canonicalEncoder().encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func priority(rank: Int) -> Priority {
        Priority.allCases.first { $0.rank == rank } ?? .standard
    }
}
