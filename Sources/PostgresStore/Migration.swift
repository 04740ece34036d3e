/// One version of the PostgreSQL schema: its statements, applied in order in the migrator's
/// transaction. A released version is never edited: a change is a new version.
///
/// A list of statements rather than one script, because postgres-nio sends every query over the
/// extended protocol, which takes one statement at a time; it also lets an error name the
/// statement that failed.
public struct Migration: Sendable, Hashable {
    /// 1, 2, 3…: the order of application, recorded in `schema_migrations`.
    public var version: Int
    /// A few words on what the version adds, recorded beside its number.
    public var name: String
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
