import ArgumentParser
import BatchKit
import ShellKit
import TranscodelyAPI

/// What `submit` and `batch` ask of every job they create, declared once: outputs, priority,
/// metadata and origins (the input path and the key are each command's own).
struct JobRequestOptions: ParsableArguments {
    @Option(help: "An output: TYPE:CODEC:RES[/QUALITY][,RES...] or JSON (repeatable; default mp4:h264:720p).") var output: [String] = []
    @Option(help: "A preset's outputs (see preset).") var preset: String?
    @Option(help: "The jobs' priority.") var priority: Priority = .standard
    @Option(help: "Metadata KEY=VALUE on the job (repeatable).") var meta: [String] = []
    @Option(help: "Input origin id.") var inputOrigin: String?
    @Option(help: "Output origin id.") var outputOrigin: String?

    /// The input origin, or the context's default.
    func inputOriginID(_ context: TranscodelyContext) -> String { inputOrigin ?? context.inputOrigin }

    /// A request for `path` with these options and the context's defaults (no key yet); a bad
    /// `--output`, `--preset` or `--meta` is an error of `command`.
    func request(path: String, _ context: TranscodelyContext, command: String) throws(ShellError) -> CreateJobRequest {
        CreateJobRequest(inputOriginID: inputOriginID(context), inputPath: path,
                         outputOriginID: outputOrigin ?? context.outputOrigin, priority: priority,
                         metadata: try metadata(command: command), outputs: try outputs(context, command: command))
    }

    /// The `--output` SPECs and `--preset`, or `mp4:h264:720p`.
    func outputs(_ context: TranscodelyContext, command: String) throws(ShellError) -> [OutputSpec] {
        do { return try context.outputs(specs: output, preset: preset) } catch { throw error.of(command) }
    }

    /// The `--meta` pairs.
    func metadata(command: String) throws(ShellError) -> [String: String] {
        do { return try TranscodelyContext.metadata(meta) } catch { throw error.of(command) }
    }
}
