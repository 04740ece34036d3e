import Foundation

/// Keeps the engine's and the shell's private files to their owner: a directory made here is
/// 0700, a file 0600, whatever the umask. The store holds jobs, key hashes and sealed webhook
/// secrets; another user of the machine has no business reading it. Outputs are not made here:
/// they are the user's media and keep the user's umask.
public enum OwnerOnly {
    /// Makes `directory` (mode 0700; missing parents get the usual modes) when it does not exist.
    /// An existing one is left as it is: the answer is then a warning naming the fix when other
    /// users can enter or read it, else nil. `what` names it in the warning ("data directory").
    public static func directory(_ directory: URL, what: String) throws -> String? {
        let path = directory.path
        var info = stat()
        if stat(path, &info) == 0 {
            let mode = info.st_mode & 0o777
            guard mode & 0o077 != 0 else { return nil }
            return "\(what) \(path) is open to other users (mode \(String(mode, radix: 8))); run chmod 700 \(path)"
        }
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        // mkdir's mode passed through the umask; make it exactly 0700.
        _ = chmod(path, 0o700)
        return nil
    }

    /// Creates `path` empty with mode 0600 when it does not exist; takes group and other
    /// permissions off an existing one (files the engine owns, never the user's media).
    public static func file(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        tighten(fd)
    }

    /// Makes an open file 0600 when it has group or other permissions.
    public static func tighten(_ fd: Int32) {
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0 { _ = fchmod(fd, 0o600) }
    }

    /// Tightens `path` to 0600 if it exists (a WAL or shared-memory file of an older store).
    public static func tightenIfPresent(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        tighten(fd)
    }
}
