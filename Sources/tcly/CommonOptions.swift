import ArgumentParser
import Foundation
import Logging
import TranscodelyAPI
import TranscodelyEngine

/// Where the local engine keeps its data: `--data DIR`, else `$XDG_DATA_HOME/tcly/engine`, else
/// `~/.local/share/tcly/engine`.
struct DataOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The engine's data directory.", valueName: "DIR"))
    var data: String?

    var directory: URL {
        if let data { return URL(fileURLWithPath: data) }
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/share")
        return URL(fileURLWithPath: base).appendingPathComponent("tcly/engine")
    }
}

extension Tier: ExpressibleByArgument {}

/// Prints one line to standard error and exits with `code`: how every command reports a failure.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("tcly: \(message)\n".utf8))
    exit(code)
}

/// Prints one warning line to standard error; the program goes on.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("tcly: warning: \(message)\n".utf8))
}

/// A store opened for administration, or a one-line error.
func openStore(_ data: DataOption) -> EngineStore {
    do {
        if let warning = try OwnerOnly.directory(data.directory, what: "data directory") { warn(warning) }
        return try EngineStore(path: data.directory.appendingPathComponent("engine.sqlite").path)
    } catch {
        fail("cannot open the engine's store in \(data.directory.path): \(error)")
    }
}

/// The process's logger: to standard error, level from `TCLY_LOG_LEVEL` (default notice).
func makeLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["TCLY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
    return logger
}

/// Standard output for lines that other programs wait for (a test waits for "listening on"):
/// written and flushed at once, even when stdout is a pipe.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
