import ServiceLifecycle
import Synchronization

/// Set when graceful shutdown begins: new calls are answered `unavailable`.
final class Draining: Sendable {
    private let state = Atomic<Bool>(false)
    var value: Bool { state.load(ordering: .relaxed) }
    func begin() { state.store(true, ordering: .relaxed) }
}

/// Marks the server as draining as soon as graceful shutdown begins.
struct DrainService: Service {
    let draining: Draining
    func run() async throws {
        try? await gracefulShutdown()
        draining.begin()
    }
}
