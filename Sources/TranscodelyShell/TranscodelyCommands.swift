import ShellKit

/// The transcoding commands, registered into a ShellKit shell as data.
public enum TranscodelyCommands {
    public static let all: [any ShellCommand.Type] = [
        SubmitCommand.self, BatchCommand.self, StatusCommand.self, ShowCommand.self, JobsCommand.self,
        RetryFailedCommand.self, WatchCommand.self, CancelCommand.self, LsCommand.self, OriginsCommand.self,
        FilesCommand.self, PresetCommand.self, SaveCommand.self, SamplesCommand.self, SessionCommand.self,
    ]

    /// A shell with every transcoding command over `context`.
    public static func shell(_ context: TranscodelyContext, output: ShellOutput = .standard) -> Shell {
        Shell(registry: CommandRegistry(all), output: output, host: context)
    }
}
