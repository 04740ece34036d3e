import Foundation
import TranscodelyAPI

/// Keeps a data directory to one engine: two engines on one store would run every job twice.
/// An exclusive `flock` on `engine.lock`, released when the process ends (even by kill -9).
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

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
        descriptor = fd
    }

    deinit { close(descriptor) }
}
