import ArgumentParser
import ShellKit
import TranscodelyClient

/// `listen [HOST:]PORT`: a webhook receiver inside the shell, registered with the API. Deliveries
/// are verified, deduplicated and applied to the session; `watch --webhook` uses them.
struct ListenCommand: ShellCommand {
    static let about = CommandAbout(name: "listen", group: "Jobs", summary: "receive signed job events (webhooks) in this shell",
                                    example: "listen 127.0.0.1:8089")
    @Argument(help: ArgumentHelp("Where to listen (port 0: any free port); without it, what the receiver has seen.",
                                 valueName: "[HOST:]PORT"))
    var address: String?
    @Option(help: "The URL to register, when the API reaches this machine by another address.") var url: String?
    @Flag(help: "Stop the receiver and delete its registration.") var stop = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if stop {
            guard context.listener != nil else { shell.output.line("listen: no receiver is running"); return }
            await context.stopListening()
            shell.output.line("listen: stopped; the webhook is deleted")
            return
        }
        guard let address else {
            guard let listener = context.listener else {
                shell.output.line("listen: no receiver is running; start one with listen [HOST:]PORT")
                return
            }
            let counts = listener.counts
            var text = "listen: \(listener.url) (webhook \(listener.webhookID)): \(counts.accepted) accepted, \(counts.duplicates) duplicate(s) dropped, \(counts.rejected) rejected"
            if let reason = counts.lastRejection { text += "; last rejected: \(reason)" }
            shell.output.line(text)
            return
        }
        let (host, port) = try ListenAddress.parse(address, command: "listen")
        let listener: WebhookListener
        do {
            listener = try await context.listen(host: host, port: port, publicURL: url)
        } catch let error as ClientError {
            throw error.shellError("listen")
        } catch let error as ShellError {
            throw error.of("listen")
        }
        shell.output.line("listen: receiving at \(listener.url) (webhook \(listener.webhookID)); signatures checked, duplicates dropped")
    }
}
