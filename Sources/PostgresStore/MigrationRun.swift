/// What one `PostgresMigrator.migrate` did.
public struct MigrationRun: Sendable, Hashable {
    /// The versions this run applied, in order; empty when another node (or an earlier start)
    /// had applied them all.
    public var applied: [Int]
    /// The database's schema version after the run.
    public var version: Int

    public init(applied: [Int], version: Int) {
        self.applied = applied
        self.version = version
    }
}
