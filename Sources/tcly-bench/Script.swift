import ArgumentParser
import ShellKit

/// Parse and dispatch of a script of cheap commands (no server).
struct Script: AsyncParsableCommand {
    @Option var lines = 10_000

    func run() async throws {
        let text = (0..<lines).map { $0 % 2 == 0 ? "set v\($0 % 100) \($0)" : "echo $v\(($0 - 1) % 100) > /dev/null" }.joined(separator: "\n")
        let (output, _) = ShellOutput.capture()
        let shell = Shell(registry: CommandRegistry(), output: output)
        let start = ContinuousClock.now
        let status = await shell.run(text, file: "bench.tcly")
        emit(["lines": lines, "seconds": (ContinuousClock.now - start) / .seconds(1), "status": Int(status)])
    }
}
