import Foundation
import Synchronization

/// A program a test starts (tcly, ffmpeg, tmux) whose standard output and error are read as they
/// come, on threads of their own, into buffers the test can look at any time.
///
/// Nothing here blocks a thread of Swift's cooperative pool: a test waiting on a program awaits
/// (polling with `Task.sleep`), so two tests waiting on programs cannot starve the pool on a
/// 2-core machine, and a program that writes more than a pipe holds never stalls on a full pipe.
/// Every wait has a deadline. The program is started with `posix_spawn` and reaped with
/// `waitpid` here, not through Foundation's `Process`, whose exit notification was seen to hang
/// on Linux when many programs start at once (swift-corelibs-foundation's run-loop based wait).
public final class ChildProgram: Sendable {
    private struct State {
        var output = Data()
        var errors = Data()
        var openStreams = 2
        var status: Int32?
    }

    /// The state, in a class so the reader threads can hold it.
    private final class Shared: Sendable {
        let lock = Mutex(State())
        func withLock<R>(_ body: (inout State) -> R) -> R { lock.withLock { body(&$0) } }
    }

    public let processIdentifier: Int32
    /// The program and its arguments, for messages.
    public let commandLine: [String]
    private let state = Shared()

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`; `environment`
    /// is added to this process's own, where `nil` removes a variable; `input` is its standard
    /// input (empty by default).
    public init(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], input: [UInt8]? = nil) throws {
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        commandLine = [executable] + arguments
        var outputPipe: [Int32] = [0, 0], errorPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0, pipe(&errorPipe) == 0 else {
            throw TclyProcessError("no pipe for \(executable): \(String(cString: strerror(errno)))")
        }
        // Not inherited by programs other tests start meanwhile (the spawned one gets them by dup2).
        for fd in outputPipe + errorPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var inputPath = "/dev/null"
        if let input {
            inputPath = NSTemporaryDirectory() + "/tcly-input-\(UUID().uuidString)"
            guard FileManager.default.createFile(atPath: inputPath, contents: Data(input)) else {
                throw TclyProcessError("cannot write the input of \(executable) to \(inputPath)")
            }
        }
        defer { if input != nil { unlink(inputPath) } }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // Nothing else of this process: NIO's sockets are not close-on-exec, and a program that
        // inherited one would keep it open for as long as it runs, whatever this process does —
        // a closed PostgreSQL connection still holding its locks, a stopped server's port still
        // accepting. Seen as a node name "in use" a minute after its store closed.
        // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np: Swift's Glibc does not import it.)
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw TclyProcessError("cannot start \(executable): this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later has)")
        }
        guard unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3) == 0 else {
            throw TclyProcessError("cannot start \(executable): posix_spawn_file_actions_addclosefrom_np failed: \(String(cString: strerror(errno)))")
        }
        // Signals back to their defaults and none blocked, whatever this test process set up.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = commandLine.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        close(outputPipe[1])
        close(errorPipe[1])
        guard spawned == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            throw TclyProcessError("could not start \(executable): \(String(cString: strerror(spawned)))")
        }
        processIdentifier = pid
        Self.drain(outputPipe[0], into: state, output: true)
        Self.drain(errorPipe[0], into: state, output: false)
    }

    private static func drain(_ fd: Int32, into state: Shared, output: Bool) {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let data = Data(buffer[..<count])
                state.withLock { if output { $0.output.append(data) } else { $0.errors.append(data) } }
            }
            close(fd)
            state.withLock { $0.openStreams -= 1 }
        }
    }

    /// Everything written to standard output so far.
    public var output: String { state.withLock { String(decoding: $0.output, as: UTF8.self) } }
    /// Everything written to standard error so far.
    public var errors: String { state.withLock { String(decoding: $0.errors, as: UTF8.self) } }
    /// Whether it has ended (reaping it if so).
    public var hasExited: Bool { reap() != nil }
    /// The exit status, or 128 + the signal that ended it; nil while it runs.
    public var status: Int32? { reap() }

    /// Collects the exit status once the program has ended (never blocks).
    private func reap() -> Int32? {
        state.withLock { state in
            if let status = state.status { return status }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return nil }
            let signal = raw & 0x7f
            state.status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            return state.status
        }
    }

    /// Waits until `condition` holds of the output so far; throws (naming what was seen) when the
    /// program ends without it or `seconds` pass.
    public func wait(seconds: Double = 60, for what: String,
                     until condition: @Sendable (_ output: String, _ errors: String) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let exited = hasExited
            let (out, err) = state.withLock { (String(decoding: $0.output, as: UTF8.self), String(decoding: $0.errors, as: UTF8.self)) }
            if condition(out, err) { return }
            if exited || ContinuousClock.now > deadline {
                throw TclyProcessError("\(what) never happened (\(exited ? "the program ended" : "\(seconds) s passed"));"
                                       + " stdout: \(out.suffix(2000)) stderr: \(err.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the program to end and its output to be read: its exit status (see `status`).
    /// After `seconds` it is killed and this throws.
    @discardableResult
    public func exit(seconds: Double = 300) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var exitedAt: ContinuousClock.Instant?
        while true {
            if let status = reap() {
                exitedAt = exitedAt ?? .now
                // A grandchild may still hold the pipes; what it writes after a second is not awaited.
                if state.withLock({ $0.openStreams }) == 0 || ContinuousClock.now - exitedAt! > .seconds(1) { return status }
            } else if ContinuousClock.now > deadline {
                signal(SIGKILL)
                throw TclyProcessError("\(commandLine.joined(separator: " ")) still ran after \(seconds) s; killed it."
                                       + " stdout: \(output.suffix(2000)) stderr: \(errors.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Sends `signal` (nothing when it has ended).
    public func signal(_ signal: Int32) {
        if !hasExited { kill(processIdentifier, signal) }
    }

    deinit {
        // Never left running, nor a zombie.
        if reap() == nil {
            kill(processIdentifier, SIGKILL)
            var raw: Int32 = 0
            waitpid(processIdentifier, &raw, 0)
        }
    }
}
