import Synchronization

/// What a captured shell printed.
public final class Transcript: Sendable {
    private let state = Mutex((output: "", errors: ""))

    public var output: String { state.withLock { $0.output } }
    public var errors: String { state.withLock { $0.errors } }

    func append(_ text: String) { state.withLock { $0.output += text } }
    func appendError(_ text: String) { state.withLock { $0.errors += text } }
}
