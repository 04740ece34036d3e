import Foundation
import Synchronization

/// The process's SIGINT disposition while loops listen: counted, because it is the process's and
/// not a loop's.
enum SignalDisposition {
    /// A signal handler as `signal(2)` returns it.
    struct Handler: @unchecked Sendable {
        var value: (@convention(c) (Int32) -> Void)?
    }

    private static let state = Mutex((listeners: 0, previous: Handler(value: nil)))

    /// One more listener; the first sets SIGINT to "ignore", keeping what was there.
    static func acquire() {
        state.withLock { state in
            if state.listeners == 0 { state.previous = Handler(value: signal(SIGINT, SIG_IGN)) }
            state.listeners += 1
        }
    }

    /// One listener fewer; the last puts back what the first found.
    static func release() {
        state.withLock { state in
            state.listeners -= 1
            if state.listeners == 0 { _ = signal(SIGINT, state.previous.value) }
        }
    }

    /// SIGINT's handler now, as a number to compare (for tests): read by setting it and putting it back.
    static func current() -> Int {
        state.withLock { _ in
            let handler = signal(SIGINT, SIG_IGN)
            _ = signal(SIGINT, handler)
            return unsafeBitCast(handler, to: Int.self)
        }
    }

    /// "Ignore", as `current()` shows it.
    static var ignore: Int { unsafeBitCast(SIG_IGN, to: Int.self) }
}
