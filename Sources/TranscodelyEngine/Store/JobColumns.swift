/// A job as every store keeps it: the `jobs` table's columns in `JobRow.columns` order, as plain
/// values (JSON text for the structured parts, microseconds for times), so that a store other
/// than SQLite reads jobs through the same decoding (`JobRow.job(_:)`).
public struct JobColumns: Sendable {
    public var id: String
    public var status: String
    public var progress: Double
    public var priority: Int
    public var inputOriginID: String
    public var inputPath: String
    public var outputOriginID: String
    public var idempotencyKey: String?
    public var metadata: String
    public var outputs: String
    public var input: String?
    public var results: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var startedAt: Int64?
    public var completedAt: Int64?
    public var errorDetail: String?

    public init(id: String, status: String, progress: Double, priority: Int, inputOriginID: String, inputPath: String,
                outputOriginID: String, idempotencyKey: String?, metadata: String, outputs: String, input: String?,
                results: String?, errorCode: String?, errorMessage: String?, createdAt: Int64, updatedAt: Int64,
                startedAt: Int64?, completedAt: Int64?, errorDetail: String?) {
        self.id = id
        self.status = status
        self.progress = progress
        self.priority = priority
        self.inputOriginID = inputOriginID
        self.inputPath = inputPath
        self.outputOriginID = outputOriginID
        self.idempotencyKey = idempotencyKey
        self.metadata = metadata
        self.outputs = outputs
        self.input = input
        self.results = results
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.errorDetail = errorDetail
    }
}
