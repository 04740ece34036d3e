/// Why the schema could not be brought up to date. The migrator's transaction was rolled back:
/// the database is as it was before the run.
public enum MigrationError: Error, Hashable, CustomStringConvertible {
    /// The build's own list is wrong (versions not 1, 2, 3… or a version without statements).
    case invalidList(String)
    /// A statement of a version failed.
    case statementFailed(version: Int, name: String, statement: Int, of: Int, reason: String)
    /// The database records a version this build does not know: a newer node migrated it.
    case databaseIsNewer(database: Int, known: Int)
    /// The database records a version under another name than this build's: the two builds'
    /// schemas diverged.
    case nameMismatch(version: Int, database: String, known: String)
    /// Taking the lock, reading or writing `schema_migrations`, or committing failed.
    case database(String)

    public var description: String {
        switch self {
        case .invalidList(let reason):
            "the migration list of this build is wrong: \(reason)"
        case let .statementFailed(version, name, statement, count, reason):
            "migration version \(version) (\(name)) failed at statement \(statement) of \(count): \(reason); nothing was applied (the run was rolled back): fix that version and start again"
        case let .databaseIsNewer(database, known):
            "the database is at schema version \(database) but this build knows versions up to \(known): a newer tcly migrated it; run the newer build on this node too"
        case let .nameMismatch(version, database, known):
            "schema version \(version) is \"\(database)\" in the database but \"\(known)\" in this build: the builds' schemas diverged; use one build for every node"
        case .database(let reason):
            "migrating the schema failed: \(reason); nothing was applied (the run was rolled back)"
        }
    }
}
