/// The answer of `JobService/GetLog` (an addition of the local engine): the encoder's own words for
/// each attempt at a job, bounded, with paths shown relative to their origin and nothing secret.
public struct JobLog: Sendable, Hashable, Codable {
    public var jobID: String
    /// Oldest first.
    public var attempts: [Attempt]

    public init(jobID: String, attempts: [Attempt]) {
        self.jobID = jobID
        self.attempts = attempts
    }

    enum CodingKeys: String, CodingKey { case jobID = "job_id", attempts }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        jobID = try c.decode(String.self, forKey: .jobID)
        attempts = try c.decodeIfPresent([Attempt].self, forKey: .attempts) ?? []
    }

    /// One run of the encoder on the job.
    public struct Attempt: Sendable, Hashable, Codable {
        /// From 1.
        public var number: Int
        public var startedAt: Timestamp
        /// Absent while the attempt runs.
        public var endedAt: Timestamp?
        /// `running`, `completed`, `failed`, `canceled` or `interrupted` (the engine stopped under it).
        public var outcome: String
        /// The argv the engine ran, inputs and outputs relative to their origins; empty when the
        /// attempt ended before a command (a probe that found no file).
        public var command: [String]
        /// The tool and its version: `ffmpeg 5.1.6`, `simulate`.
        public var tool: String
        /// Error and warning lines, then the last lines before the tool stopped.
        public var lines: [String]
        /// Lines were dropped to keep within the bound (200 lines, 64 KiB).
        public var truncated: Bool

        public init(number: Int, startedAt: Timestamp, endedAt: Timestamp? = nil, outcome: String,
                    command: [String] = [], tool: String, lines: [String] = [], truncated: Bool = false) {
            self.number = number
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.outcome = outcome
            self.command = command
            self.tool = tool
            self.lines = lines
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case number, startedAt = "started_at", endedAt = "ended_at", outcome, command, tool, lines, truncated
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            number = try c.decode(Int.self, forKey: .number)
            startedAt = try c.decode(Timestamp.self, forKey: .startedAt)
            endedAt = try c.decodeIfPresent(Timestamp.self, forKey: .endedAt)
            outcome = try c.decodeIfPresent(String.self, forKey: .outcome) ?? ""
            command = try c.decodeIfPresent([String].self, forKey: .command) ?? []
            tool = try c.decodeIfPresent(String.self, forKey: .tool) ?? ""
            lines = try c.decodeIfPresent([String].self, forKey: .lines) ?? []
            truncated = try c.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
        }
    }
}
