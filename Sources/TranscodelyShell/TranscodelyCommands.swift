import BatchKit
import ShellKit

/// The transcoding commands, registered into a ShellKit shell as data.
public enum TranscodelyCommands {
    public static let all: [any ShellCommand.Type] = [
        SubmitCommand.self, BatchCommand.self, StatusCommand.self, ShowCommand.self, JobsCommand.self,
        RetryFailedCommand.self, WatchCommand.self, CancelCommand.self, LsCommand.self, OriginsCommand.self,
        FilesCommand.self, PresetCommand.self, SaveCommand.self, SamplesCommand.self, SessionCommand.self,
        PauseCommand.self, ResumeCommand.self, RateCommand.self, ListenCommand.self,
    ]

    /// A shell with every transcoding command over `context`.
    public static func shell(_ context: TranscodelyContext, output: ShellOutput = .standard) -> Shell {
        let shell = Shell(registry: CommandRegistry(all), output: output, host: context)
        // `set rate R` steers the batch running in the background, as `rate R` does.
        Task {
            await shell.observeVariables { name, value in
                guard name == "rate", let perSecond = Double(value), perSecond > 0,
                      let (_, pacer) = try? context.runningPacer(nil) else { return }
                Task { await pacer.update(rate: perSecond) }
            }
        }
        return shell
    }

    /// Ends what the shell started outside itself: the webhook receiver and its registration.
    /// Call before the process leaves.
    public static func close(_ shell: Shell) async {
        guard let context = try? shell.transcodely else { return }
        await context.stopListening()
    }
}
