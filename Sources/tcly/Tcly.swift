import ArgumentParser

/// The front door of tcly: the shell (the default), scripts (`run`), the local engine (`serve`)
/// and its administration (`admin`).
@main
struct Tcly: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcly",
        abstract: "Drive the Transcodely video-transcoding job API by hand and by script.",
        discussion: """
            tcly starts the shell (commands on stdin, or -c 'CMD; CMD'); tcly run FILE runs a script.
            With no API key configured they use the local engine in this process.
            tcly serve runs the local engine: the Transcodely API on this machine, durable in SQLite.
            tcly admin manages its organizations, apps and API keys.
            tcly webhook verify checks a webhook delivery's signature, for debugging a receiver.
            """,
        version: TclyVersion.current,
        subcommands: [ShellEntry.self, RunScript.self, Serve.self, Admin.self, WebhookCommand.self],
        defaultSubcommand: ShellEntry.self
    )
}
