import Crypto
import Foundation
import Synchronization

/// Where one attempt writes a job's outputs before they are published, and how they are published
/// and cleaned up (docs/encoding.md, "Outputs appear whole or not at all"). Output origins may be
/// shared by several engines (one folder on a shared file system, `--origin` on every node), so
/// nothing here assumes that this process is the only writer.
///
/// Inside an output origin:
/// - `.tcly-tmp/NAME/` — the attempt's outputs while it runs. `NAME` is `JOB_ID.ATTEMPT`, and
///   `JOB_ID.ATTEMPT.TOKEN8` under a store that fences with lease tokens (`TOKEN8`: the first 8 hex
///   digits of the token's SHA-256), so two attempts of one job — a rescued job running again on
///   another node while the first node is stalled — never write into one folder.
/// - `.tcly-tmp/NAME.lock` — created and locked (`flock`, exclusive) by the process running the
///   attempt before the folder exists, unlinked after the folder is published or removed. The
///   kernel releases the lock when that process dies, kill -9 included (the file system's server
///   does, for a shared one, when the node is gone). A held lock is how recovery tells a live
///   attempt, on this machine or another, from one whose engine died.
/// - `.tcly-tmp/NAME.old/` — what `publish` set aside at `jobs/JOB_ID` to replace it (an earlier
///   attempt's outputs whose completion never committed), removed by `close()`.
/// - `jobs/JOB_ID/` — the published outputs: those of exactly one attempt.
public final class OutputStaging: Sendable {
    /// The staging folder's name inside an output origin (hidden, so ListFiles skips it).
    public static let folderName = ".tcly-tmp"

    /// The folder the encoder writes into: `.tcly-tmp/NAME`.
    public let folder: URL
    /// Where `publish` puts it: `jobs/JOB_ID`.
    public let final: URL
    /// `NAME`: this attempt's own name, as the staging folder and its lock are called.
    public let name: String
    private let setAside: URL
    private let lockPath: String
    private let descriptor: Int32

    private struct State {
        var published = false
        var closed = false
    }

    private let state = Mutex(State())

    /// Lock files this process holds: a sweep in this process never takes its own attempts for
    /// orphans, whatever the file system's locks do between two descriptors of one process.
    private static let held = Mutex<Set<String>>([])

    /// `JOB_ID.ATTEMPT`, or `JOB_ID.ATTEMPT.TOKEN8` when the lease carries a token.
    public static func name(for lease: Lease) -> String {
        let name = "\(lease.jobID).\(lease.attempt)"
        guard !lease.token.isEmpty else { return name }
        let digest = SHA256.hash(data: Data(lease.token.utf8))
        return name + "." + digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// Takes this attempt's lock and makes its empty staging folder in the output origin `root`.
    /// Throws `FileFailure` when the origin cannot be written.
    public init(root: URL, lease: Lease) throws {
        let base = root.appendingPathComponent(Self.folderName)
        name = Self.name(for: lease)
        folder = base.appendingPathComponent(name)
        setAside = base.appendingPathComponent(name + ".old")
        final = root.appendingPathComponent("jobs/\(lease.jobID)")
        lockPath = base.appendingPathComponent(name + ".lock").path
        try FileFailure.check(mkdir(base.path, 0o755) == 0 || errno == EEXIST)
        let descriptor = try Self.acquire(lockPath)
        // Nobody else can have this name: a folder of it is a leftover of this very attempt.
        try? FileManager.default.removeItem(at: folder)
        guard mkdir(folder.path, 0o755) == 0 else {
            let failure = FileFailure(errno)
            Self.release(descriptor, lockPath, unlinking: true)
            throw failure
        }
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Puts the staged outputs in place at `jobs/JOB_ID`; called by the store while it holds the
    /// job, after it has checked the lease and the completion (`JobStore.complete`). Idempotent: a
    /// store that retries its transaction may call it again.
    ///
    /// What is atomic: each `rename(2)` — on one file system (the staging folder is inside the
    /// origin, so it is) a reader sees the whole folder or none of it, never part of it; NFS does
    /// a rename in one call to its server. What is not: replacing a `jobs/JOB_ID` that exists (an
    /// earlier attempt published, then its completion did not commit) takes two renames, since a
    /// folder cannot be renamed onto a folder that is not empty (and RENAME_EXCHANGE is not
    /// available on NFS): the earlier folder is set aside first, so between the two renames
    /// `jobs/JOB_ID` is absent for an instant — then it holds this attempt's outputs, never a mix
    /// of two. Nothing is fsynced: after a power loss the rename is as durable as the store's own
    /// ordinary writes.
    public func publish() throws {
        try state.withLock { state throws in
            guard !state.published else { return }
            precondition(!state.closed, "publish after close")
            let jobs = final.deletingLastPathComponent()
            try FileFailure.check(mkdir(jobs.path, 0o755) == 0 || errno == EEXIST)
            var replaced = false
            var existing = stat()
            if lstat(final.path, &existing) == 0 {
                try? FileManager.default.removeItem(at: setAside)
                try FileFailure.check(rename(final.path, setAside.path) == 0)
                replaced = true
            }
            guard rename(folder.path, final.path) == 0 else {
                let failure = FileFailure(errno)
                // The earlier outputs go back: a failed publish changes nothing.
                if replaced { _ = rename(setAside.path, final.path) }
                throw failure
            }
            state.published = true
        }
    }

    /// Whether `publish` put the outputs in place.
    public var isPublished: Bool { state.withLock { $0.published } }

    /// Ends the attempt's hold on its staging: removes the folder unless it was published, and
    /// what publishing replaced, then unlinks and releases the lock. Idempotent.
    public func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            let clean = Self.remove(state.published ? nil : folder, setAside)
            // A folder that could not be removed keeps its lock file, so that a sweep retries it.
            Self.release(descriptor, lockPath, unlinking: clean)
        }
    }

    // MARK: - Recovery

    /// Removes, in each output origin, the staging of attempts whose engine died (their lock is
    /// free), after killing the processes of this machine still writing into them
    /// (`OrphanReaper`); a staging folder whose lock is held — an attempt running here or on
    /// another node — is left alone, and so are its processes. Also removes staging folders of the
    /// layout before per-attempt staging (`.tcly-tmp/JOB_ID`, no lock: job ids hold no dot). Safe
    /// at any time, not only at start. Returns how many folders it removed.
    @discardableResult
    public static func sweep(outputRoots: [URL]) -> Int {
        var removed = 0
        for root in outputRoots {
            let base = root.appendingPathComponent(folderName)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base.path) else { continue }
            for entry in entries where entry.hasSuffix(".lock") {
                let name = String(entry.dropLast(".lock".count))
                let lock = base.appendingPathComponent(entry).path
                guard let descriptor = tryLock(lock) else { continue }
                let folder = base.appendingPathComponent(name)
                OrphanReaper.kill(commandLinesContaining: [folder.path + "/"])
                let clean = remove(folder, base.appendingPathComponent(name + ".old"))
                release(descriptor, lock, unlinking: clean)
                if clean { removed += 1 }
            }
            for entry in entries where !entry.contains(".") {
                let folder = base.appendingPathComponent(entry)
                OrphanReaper.kill(commandLinesContaining: [folder.path + "/"])
                if (try? FileManager.default.removeItem(at: folder)) != nil { removed += 1 }
            }
        }
        return removed
    }

    // MARK: - Locks

    /// Creates `path` and locks it exclusively, for this attempt alone.
    private static func acquire(_ path: String) throws -> Int32 {
        // Counted as held before the file exists: a sweep of this process that lists it skips it.
        held.withLock { _ = $0.insert(path) }
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let failure = FileFailure(errno)
                if descriptor >= 0 { closeFile(descriptor) }
                held.withLock { _ = $0.remove(path) }
                throw failure
            }
            // A sweep of another process may have unlinked the file between the open and the
            // lock: the lock counts only on the file that is at `path`.
            if isStill(descriptor, at: path) {
                let note = "pid \(getpid()) on \(host)\n"
                _ = note.withCString { write(descriptor, $0, strlen($0)) }
                return descriptor
            }
            closeFile(descriptor)
        }
    }

    /// Locks an existing lock file when nobody holds it; nil when an attempt holds it (or it is gone).
    private static func tryLock(_ path: String) -> Int32? {
        guard !held.withLock({ $0.contains(path) }) else { return nil }
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, isStill(descriptor, at: path) else {
            closeFile(descriptor)
            return nil
        }
        return descriptor
    }

    private static func isStill(_ descriptor: Int32, at path: String) -> Bool {
        var open = stat(), named = stat()
        return fstat(descriptor, &open) == 0 && stat(path, &named) == 0 && open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    private static func release(_ descriptor: Int32, _ path: String, unlinking: Bool) {
        if unlinking { _ = unlink(path) }
        held.withLock { _ = $0.remove(path) }
        closeFile(descriptor)
    }

    /// Removes what exists of `folders`; whether none is left.
    private static func remove(_ folders: URL?...) -> Bool {
        var clean = true
        for folder in folders.compactMap({ $0 }) {
            var status = stat()
            guard lstat(folder.path, &status) == 0 else { continue }
            if (try? FileManager.default.removeItem(at: folder)) == nil { clean = false }
        }
        return clean
    }

    private static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "unknown host" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

private func closeFile(_ descriptor: Int32) { _ = close(descriptor) }

/// A failed file-system call, said as the system says it (`No space left on device`).
public struct FileFailure: Error, Sendable, CustomStringConvertible {
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    public var description: String { String(cString: strerror(code)) }

    /// Throws the current `errno` unless `succeeded`.
    static func check(_ succeeded: Bool) throws {
        if !succeeded { throw FileFailure(errno) }
    }
}
