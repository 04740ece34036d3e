import PostgresNIO
import TranscodelyAPI
import TranscodelyEngine

/// Reads jobs from rows selected with `JobRow.columns` first (the same columns as SQLite's, so the
/// same decoding), and what a query selected after them.
enum PostgresJobRow {
    /// The job in the first `JobRow.columnCount` columns.
    static func job(_ row: PostgresRow) throws -> Job {
        let cells = PostgresRandomAccessRow(row)
        return try JobRow.job(JobColumns(
            id: cells[0].decode(String.self), status: cells[1].decode(String.self), progress: cells[2].decode(Double.self),
            priority: cells[3].decode(Int.self), inputOriginID: cells[4].decode(String.self), inputPath: cells[5].decode(String.self),
            outputOriginID: cells[6].decode(String.self), idempotencyKey: cells[7].decode(String?.self),
            metadata: cells[8].decode(String.self), outputs: cells[9].decode(String.self), input: cells[10].decode(String?.self),
            results: cells[11].decode(String?.self), errorCode: cells[12].decode(String?.self),
            errorMessage: cells[13].decode(String?.self), createdAt: cells[14].decode(Int64.self),
            updatedAt: cells[15].decode(Int64.self), startedAt: cells[16].decode(Int64?.self),
            completedAt: cells[17].decode(Int64?.self), errorDetail: cells[18].decode(String?.self)))
    }

    /// Column `index` past the job's own (0 is the first one after them).
    static func extra<T: PostgresDecodable>(_ row: PostgresRow, _ index: Int, as type: T.Type) throws -> T {
        try PostgresRandomAccessRow(row)[JobRow.columnCount + index].decode(T.self)
    }
}
