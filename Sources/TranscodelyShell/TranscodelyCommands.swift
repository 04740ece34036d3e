import BatchKit
import ShellKit

/// The transcoding commands, registered into a ShellKit shell as data, with what the shell says
/// of this host: its prompt, what history must never keep, and its hints.
public enum TranscodelyCommands {
    public static let all: [any ShellCommand<TranscodelyContext>.Type] = [
        SubmitCommand.self, BatchCommand.self, StatusCommand.self, ShowCommand.self, JobsCommand.self,
        RetryFailedCommand.self, WatchCommand.self, WaitCommand.self, CancelCommand.self, LsCommand.self, OriginsCommand.self,
        FilesCommand.self, PresetCommand.self, SaveCommand.self, SamplesCommand.self, SessionCommand.self,
        PauseCommand.self, ResumeCommand.self, RateCommand.self, ListenCommand.self, WhyCommand.self,
        CallCommand.self, DescribeCommand.self,
    ]

    /// `tcly> `; an `--api-key` value, and anything shaped like an API key (`tk_…`) or a webhook
    /// secret (`whsec_…`), never reaches history, saved scripts or saved sessions; a line too long
    /// to read points at `batch --from`.
    public static let profile = ShellProfile(
        prompt: "tcly> ",
        redaction: HistoryRedaction(options: ["--api-key"],
                                    patterns: [#"\btk_[A-Za-z0-9_]{12,}"#, #"\bwhsec_[A-Za-z0-9+/=_-]{8,}"#]),
        longLineHint: "put long lists in a file: batch --from FILE")

    /// `set rate R` steers the batch running in the background as `rate R` does, refusing what
    /// `rate` refuses with the same words; with no batch running it only sets the variable.
    static let observers = [
        VariableObserver<TranscodelyContext>("rate") { value, shell in
            let rate = try RateCommand.parsed([value])
            guard let (_, pacer) = try? shell.host.runningPacer(nil) else { return }
            await pacer.update(rate: rate.perSecond)
        },
    ]

    /// A shell with every transcoding command over `context`.
    public static func shell(_ context: TranscodelyContext, output: ShellOutput = .standard) -> Shell<TranscodelyContext> {
        Shell(registry: CommandRegistry(all), output: output, host: context, profile: profile, observers: observers)
    }

    /// Ends what the shell started outside itself: the webhook receiver and its registration.
    /// Call before the process leaves.
    public static func close(_ shell: Shell<TranscodelyContext>) async {
        await shell.host.stopListening()
    }
}
