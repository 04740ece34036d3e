import ArgumentParser
import Foundation
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
