/// A failure of the storage itself (the database is busy, locked, full, unreachable), as opposed
/// to an answer about the data (a `ConnectError` such as `alreadyExists`, which stores throw as is).
///
/// Every store throws its engine-specific failures as this, so that the engine decides what a
/// client is told without knowing which database is behind the store: `unavailable`, safe to retry.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; compared by code only.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Value: String { case unavailable }
        let value: Value

        /// The store cannot answer now; the same call may succeed shortly.
        public static let unavailable = Code(value: .unavailable)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// A few words safe to show a client (a result code such as `SQLITE_BUSY`): never a path,
    /// a query or a secret.
    public var reason: String
    /// The store's own error in full, for the engine log only.
    public var detail: String

    /// The store cannot answer now, for `reason`; `detail` goes to the log.
    public static func unavailable(_ reason: String, detail: String) -> StoreError {
        StoreError(code: .unavailable, reason: reason, detail: detail)
    }

    public var description: String { "store \(code): \(reason) (\(detail))" }
}
