import Dispatch
import Foundation
import Synchronization

/// Tells a live view that the terminal was resized (SIGWINCH), so it redraws at once instead of at
/// its next change. While it exists the signal is caught by a dispatch source; the previous
/// disposition (libedit's, say) is put back by `stop()`.
final class TerminalResize: @unchecked Sendable {
    // `DispatchSourceSignal` is not Sendable; it is only touched in init and stop.
    private let source: any DispatchSourceSignal
    private let resized = Atomic<Bool>(false)
    private var previous = sigaction()

    init() {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigaction(SIGWINCH, &ignore, &previous)
        source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler { [weak self] in self?.resized.store(true, ordering: .relaxed) }
        source.resume()
    }

    deinit { source.cancel() }

    /// Whether the terminal was resized since the last call.
    func take() -> Bool { resized.exchange(false, ordering: .relaxed) }

    func stop() {
        source.cancel()
        sigaction(SIGWINCH, &previous, nil)
    }
}
