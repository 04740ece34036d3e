/// What a host does when a user sets one of its variables (`set NAME VALUE`): `body` checks the
/// value, throwing to refuse it (the variable keeps its old value and `set` fails with that
/// error), and acts on it. It runs before `set` returns, so observers run in the order the user's
/// commands did.
public struct VariableObserver<Host: Sendable>: Sendable {
    /// The variable it watches.
    public var name: String
    /// Checks and applies a value (`value`, in `shell`); throws to refuse it.
    public var body: @Sendable (_ value: String, _ shell: Shell<Host>) async throws -> Void

    /// Watches `name` with `body`.
    public init(_ name: String, _ body: @escaping @Sendable (_ value: String, _ shell: Shell<Host>) async throws -> Void) {
        self.name = name
        self.body = body
    }
}
