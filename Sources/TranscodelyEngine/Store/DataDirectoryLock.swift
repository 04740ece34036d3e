import Foundation
import Synchronization
import TranscodelyAPI

/// Keeps a data directory to one engine: two engines on one store would run every job twice.
/// An exclusive `flock` on `engine.lock`, released by `release()` once the engine has stopped,
/// when the lock goes, and when the process ends (even by kill -9).
final class DataDirectoryLock: Sendable {
    private let descriptor: Mutex<Int32?>

    init(_ directory: URL) throws(ConnectError) {
        let path = directory.appendingPathComponent("engine.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .failedPrecondition("data directory \(directory.path) is not writable; choose another with --data")
        }
        OwnerOnly.tighten(fd)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .failedPrecondition("data directory \(directory.path) is in use by another engine; stop it or choose another --data")
        }
        descriptor = Mutex(fd)
    }

    /// Lets the directory go: another engine may open it from now on.
    func release() {
        descriptor.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
    }

    deinit { release() }
}
