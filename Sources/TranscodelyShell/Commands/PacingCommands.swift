import Foundation
import ArgumentParser
import BatchKit
import ShellKit

/// `pause [BATCH]`: a background batch stops sending creates (those in flight finish).
struct PauseCommand: ShellCommand {
    static let about = CommandAbout(name: "pause", group: "Jobs", summary: "pause a batch running in the background", example: "pause nightly")
    @Argument var batch: String?

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let (name, pacer) = try shell.host.runningPacer(batch, command: "pause")
        await pacer.pause()
        shell.output.line("batch \(name): paused")
    }
}

/// `resume [BATCH]`.
struct ResumeCommand: ShellCommand {
    static let about = CommandAbout(name: "resume", group: "Jobs", summary: "resume a paused background batch", example: "resume nightly")
    @Argument var batch: String?

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let (name, pacer) = try shell.host.runningPacer(batch, command: "resume")
        await pacer.resume()
        shell.output.line("batch \(name): resumed")
    }
}

/// `rate R [--batch B]` (also `set rate R`): a background batch's ceiling of creates per second
/// from now on (it goes at R, or at what the API advertises when that is lower).
struct RateCommand: ShellCommand {
    static let about = CommandAbout(name: "rate", group: "Jobs", summary: "change a background batch's creates per second",
                                    example: "rate 50 --batch nightly")
    @Argument var perSecond: Double
    @Option var batch: String?
    @Option(help: "Creates in flight at most.") var concurrency: Int?

    /// `rate`'s words checked as `rate` checks them, with its errors: `set rate R` refuses what `rate R` does.
    static func parsed(_ words: [String]) throws(ShellError) -> RateCommand {
        let command = try parse(words: words)
        try command.checkRate()
        return command
    }

    func checkRate() throws(ShellError) {
        guard perSecond > 0, perSecond <= 100_000 else {
            throw ShellError("rate: R must be above 0 and at most 100000, got \(String(format: "%g", perSecond))", status: 2)
        }
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        try checkRate()
        let (name, pacer) = try shell.host.runningPacer(batch)
        if let concurrency, !(1...1000).contains(concurrency) {
            throw ShellError("rate: --concurrency must be 1...1000, got \(concurrency)", status: 2)
        }
        await pacer.update(rate: perSecond, concurrency: concurrency)
        let settings = await pacer.settings
        let capped = settings.rate < perSecond ? String(format: " (the API allows %g/s)", settings.rate) : ""
        shell.output.line("batch \(name): \(String(format: "%g", perSecond))/s\(capped), \(settings.concurrency) in flight")
    }
}
