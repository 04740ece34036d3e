import Foundation
import ShellKit

/// The read-eval-print loop: read a line (a continuation prompt while the input is incomplete),
/// run it, report. Prompts appear only when stdin and stdout are terminals; otherwise the same
/// loop reads plain lines, so piped scripts and typed sessions share one path.
struct Repl {
    let shell: Shell

    func run() async -> Int32 {
        let interactive = isatty(0) == 1 && isatty(1) == 1
        var pending = ""
        var line = 0
        var status: Int32 = 0
        while true {
            if interactive {
                FileHandle.standardOutput.write(Data((pending.isEmpty ? "tcly> " : "  ...> ").utf8))
            }
            guard let input = readLine(strippingNewline: true) else {
                if interactive { FileHandle.standardOutput.write(Data("\n".utf8)) }
                break
            }
            line += 1
            pending += (pending.isEmpty ? "" : "\n") + input
            do {
                _ = try Parser(file: "<stdin>").parse(pending, firstLine: line - pending.split(separator: "\n", omittingEmptySubsequences: false).count + 1)
            } catch Parser.Failure.incomplete {
                continue
            } catch {}
            let first = line - pending.split(separator: "\n", omittingEmptySubsequences: false).count + 1
            status = await shell.run(pending, file: interactive ? "<stdin>" : "<stdin>", keepGoing: interactive ? true : nil, firstLine: first)
            pending = ""
            if let code = await shell.exitRequested { return code }
            if !interactive, status != 0, await !shell.keepGoing { return status }
        }
        return interactive ? 0 : status
    }
}
