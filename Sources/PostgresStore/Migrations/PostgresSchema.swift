/// The PostgreSQL store's schema: every version, in order, one file each (`Migration0001.swift`,
/// …). A version, once released, is never edited; a change is a new file appended here.
///
/// Swift string constants rather than `.sql` resources: the binary carries its schema, so a
/// `tcly` copied alone to another machine (`scripts/install --static`) still migrates, with no
/// resource bundle to find at run time; and each version is a list of single statements, which is
/// what postgres-nio can send (see `Migration`).
public enum PostgresSchema {
    public static let migrations: [Migration] = [
        migration0001,
        migration0002,
    ]
}
