import Dispatch
import Foundation
import Synchronization

/// Ctrl-C for one interactive loop: SIGINT while a command runs cancels it; at the prompt it is
/// ignored (the shell stays). Each `Repl` has its own, so two loops in one process both see every
/// Ctrl-C; the process's SIGINT disposition is set to "ignore" (so that the signal reaches the
/// dispatch sources instead of ending the process; on Linux libdispatch then puts its own handler
/// there) while any loop listens, and the one found before the first is put back when the last
/// one stops.
final class Interrupts: Sendable {
    private let running = Mutex<Task<Int32, Never>?>(nil)
    private let source = Mutex<Source?>(nil)

    /// A dispatch source (thread-safe, though not marked `Sendable`).
    private struct Source: @unchecked Sendable {
        let signals: any DispatchSourceSignal
    }

    /// Starts listening (once; `uninstall` stops).
    func install() {
        guard source.withLock({ $0 == nil }) else { return }
        SignalDisposition.acquire()
        let signals = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signals.setEventHandler { [weak self] in
            self?.running.withLock { $0 }?.cancel()
        }
        signals.resume()
        let installed = Source(signals: signals)
        source.withLock { $0 = installed }
    }

    /// Stops listening; the last loop to stop restores the SIGINT disposition found before the first.
    func uninstall() {
        guard let installed = source.withLock({ current in defer { current = nil }; return current }) else { return }
        installed.signals.cancel()
        SignalDisposition.release()
    }

    /// The command Ctrl-C cancels now (nil at the prompt).
    func current(_ task: Task<Int32, Never>?) { running.withLock { $0 = task } }
}
