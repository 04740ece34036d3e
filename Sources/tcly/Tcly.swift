import ArgumentParser

/// The front door of tcly: the local engine (`serve`) and its administration (`admin`).
/// The interactive shell joins it in a later version.
@main
struct Tcly: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcly",
        abstract: "Drive the Transcodely video-transcoding job API by hand and by script.",
        discussion: """
            tcly serve runs the local engine: the Transcodely API on this machine, durable in SQLite.
            tcly admin manages its organizations, apps and API keys.
            """,
        version: TclyVersion.current,
        subcommands: [Serve.self, Admin.self]
    )
}

/// The version `tcly --version` prints.
enum TclyVersion {
    static let current = "0.1.0"
}
