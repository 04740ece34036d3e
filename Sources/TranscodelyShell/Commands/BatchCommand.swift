import ArgumentParser
import BatchKit
import Foundation
import ShellKit
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// `batch PATH|GLOB...`: many creates in parallel, paced under the rate limit, each with its
/// idempotency key; prints created / already existing / failed.
struct BatchCommand: ShellCommand {
    static let about = CommandAbout(
        name: "batch", group: "Jobs", summary: "create many jobs, paced, each with an idempotency key",
        example: "batch 'uploads/*.mp4' --output hls:h264:1080p,720p,480p --key 'batch_{date}_{name}' --name nightly")

    @Argument(help: "Inputs: paths or globs (* ? [..]) expanded with OriginService/ListFiles.") var paths: [String] = []
    @Option(help: "A file with one input path per line (- : the command's here-document).") var from: String?
    @Option(help: "A file of items, one per line: PATH [KEY] as shell words, a KEY overriding --key (- : the command's here-document, as save writes).") var items: String?
    @Option(help: "Key template: {path} {name} {stem} {date} {batch} {index} (default: derived from each request).") var key: String?
    @Option(help: "Creates in flight at most (1...1000).") var concurrency: Int = 50
    @Option(help: "A ceiling of creates per second (default: the rate the API advertises; 100 until it says).") var rate: Double?
    @Option(help: "A ceiling of the burst (default: the bucket the API's RateLimit counts show).") var burst: Int?
    @Option(help: "The batch's name (default: batch- and a digest of what it asks for); jobs carry it as metadata batch_id.") var name: String?
    @OptionGroup var options: JobRequestOptions
    @Flag(help: "Print the schedule and ETA; send nothing.") var dryRun = false
    @Flag(help: "Run in the background: the prompt comes back; pause, resume and rate (or set rate R) steer it.") var background = false
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard (1...1000).contains(concurrency) else { throw ValidationError("--concurrency must be 1...1000, got \(concurrency)") }
        if let rate, !(rate > 0 && rate <= 100_000) { throw ValidationError("--rate must be above 0 and at most 100000, got \(rate)") }
        if let burst, burst < 1 { throw ValidationError("--burst must be at least 1, got \(burst)") }
        if from == "-" && items == "-" { throw ValidationError("--from - and --items - both want the here-document: give one of them a file") }
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        if await shell.wantsJSON { json = true }
        let priority = options.priority
        let inputOrigin = options.inputOriginID(context)
        let inputs = try await expandInputs(context, origin: inputOrigin)
        guard !inputs.isEmpty else { throw ShellError("batch: no inputs; give paths, globs, --from FILE or --items FILE", status: 2) }
        let started = Date(timeIntervalSince1970: context.clock.timestamp.seconds)
        let outputs = try options.outputs(context, command: "batch")
        // Without --name the batch is named after what it asks for, so the same command run again
        // is the same batch: its jobs carry the same batch_id, and their derived keys replay.
        let batchName = name ?? Self.defaultName(inputs: inputs.map(\.path), outputs: outputs, priority: priority, origin: inputOrigin)
        var template: KeyTemplate?
        if let key {
            do throws(ConnectError) { template = try KeyTemplate(key) } catch { throw ShellError("batch: \(error.message)", status: 2) }
        }
        var metadata = try options.metadata(command: "batch")
        metadata["batch_id"] = metadata["batch_id"] ?? batchName
        let date = KeyTemplate.date(started)
        var items: [BatchItem] = []
        for (index, (path, literalKey)) in inputs.enumerated() {
            var request = CreateJobRequest(inputOriginID: inputOrigin, inputPath: path,
                                           outputOriginID: options.outputOrigin ?? context.outputOrigin,
                                           priority: priority, metadata: metadata, outputs: outputs)
            if let literalKey {
                request.idempotencyKey = literalKey
            } else if let template {
                do throws(ConnectError) {
                    request.idempotencyKey = try template.key(for: .init(path: path, date: date, batch: batchName, index: index))
                } catch { throw ShellError("batch: \(error.message)", status: 2) }
            } else {
                request.idempotencyKey = KeyTemplate.derivedKey(for: request)
            }
            do { try request.validate() } catch { throw ShellError("batch: \(path): \(error.message)", status: 2) }
            items.append(BatchItem(index: index, request: request))
        }
        // Paced at what the API advertised (to the glob's listing, or an earlier command), within
        // the user's --rate/--burst; the first answer corrects it either way.
        let pacer = context.rateLimit.pacer(concurrency: concurrency, ceiling: Pacer.Ceiling(rate: rate, burst: burst),
                                             clock: context.clock)
        if dryRun {
            let plan = BatchPlan(items: items.count, settings: await pacer.settings, source: await pacer.source)
            for line in plan.schedule { shell.output.line(line) }
            for item in items.prefix(5) { shell.output.line("  \(item.request.inputPath)  key \(item.key)") }
            if items.count > 5 { shell.output.line("  … and \(items.count - 5) more") }
            return
        }
        try await context.session.record(ShellSession.Batch(name: batchName, keys: items.map(\.key), failed: []))
        let total = items.count
        let output = shell.output
        let attached = context.rateLimit.attach(pacer)
        if background {
            let json = json
            let task = Task {
                defer { context.rateLimit.detach(attached) }
                let report = await BatchRunner(client: context.jobs, pacer: pacer, clock: context.clock).run(items, record: Self.recorder(batchName, context))
                try? await Self.record(report, batch: batchName, in: context)
                context.finishBackground(batchName)
                Self.summarize(report, name: batchName, json: json, shell: shell)
            }
            context.startBackground(batchName, pacer: pacer, task: task)
            await shell.set("batch", batchName)
            output.line("batch \(batchName): \(total) creates running in the background (pause, resume, rate R, watch --batch \(batchName))")
            return
        }
        defer { context.rateLimit.detach(attached) }
        let report = await BatchRunner(client: context.jobs, pacer: pacer, clock: context.clock).run(
            items, record: Self.recorder(batchName, context),
            progress: { counts in
                // On a terminal: one line redrawn in place as answers come.
                if counts.done % 10 == 0 || counts.done == total {
                    output.status("batch \(batchName): \(counts.done)/\(total) sent — \(counts.created) created, \(counts.existed) existed, \(counts.failed) failed")
                }
            })
        output.status("")
        try await Self.record(report, batch: batchName, in: context)
        await shell.set("batch", batchName)
        if let last = report.outcomes.last(where: { $0.job != nil })?.job { await shell.set("last", last.id) }
        Self.summarize(report, name: batchName, json: json, shell: shell)
        if let reason = report.stopReason {
            throw ShellError("batch \(batchName): stopped: \(reason); \(report.counts.notSent) not sent. Run the same batch again when the API answers: the keys make it safe")
        }
        if report.counts.failed > 0 {
            throw ShellError("batch \(batchName): \(report.counts.failed) create(s) failed; retry-failed --batch \(batchName) sends them again")
        }
    }

    /// Journals each outcome the moment it is known: a crash mid-batch loses no created job id.
    static func recorder(_ batch: String, _ context: TranscodelyContext) -> @Sendable (BatchItem, ItemOutcome) async -> Void {
        recorder(batchOf: { _ in batch }, context)
    }

    /// Journals each outcome the moment it is known, in the batch `batchOf` names for its item.
    static func recorder(batchOf: @escaping @Sendable (BatchItem) -> String?,
                         _ context: TranscodelyContext) -> @Sendable (BatchItem, ItemOutcome) async -> Void {
        { item, outcome in
            let batch = batchOf(item)
            do {
                switch outcome {
                case let .created(job, _), let .existed(job, _):
                    try await context.session.record(job, request: item.request, batch: batch, retryOf: item.retryOf)
                    try await context.session.clearFailure(key: item.key)
                case let .failed(code, message, _):
                    try await context.session.recordFailure(.init(request: item.request, code: code, message: message, batch: batch))
                case .notSent:
                    break
                }
            } catch {
                // The journal could not be written: the summary still reports the outcome.
            }
        }
    }

    /// Records the batch's keys in the session (its jobs were journaled as they came).
    static func record(_ report: BatchRunner.Report, batch: String, in context: TranscodelyContext) async throws {
        let known = await context.session.batches[batch]?.keys ?? []
        let keys = known + report.items.map(\.key).filter { !known.contains($0) }
        try await context.session.record(ShellSession.Batch(name: batch, keys: keys, failed: []))
    }

    static func summarize(_ report: BatchRunner.Report, name: String, json: Bool, shell: Shell<TranscodelyContext>) {
        let c = report.counts
        let seconds = String(format: "%.1f", report.duration / .seconds(1))
        if json {
            shell.output.line(#"{"batch":"\#(name)","created":\#(c.created),"existed":\#(c.existed),"failed":\#(c.failed),"not_sent":\#(c.notSent),"seconds":\#(seconds)}"#)
            return
        }
        let notSent = c.notSent > 0 ? ", \(c.notSent) not sent" + (report.stopReason.map { " (stopped: \($0))" } ?? "") : ""
        shell.output.line("batch \(name): \(c.created) created, \(c.existed) already existed, \(c.failed) failed\(notSent) (\(seconds) s)")
        for (item, outcome) in zip(report.items, report.outcomes) {
            if case let .failed(code, message, attempts) = outcome {
                shell.output.line("  failed  \(item.request.inputPath)  \(code): \(message) (\(attempts) attempt\(attempts == 1 ? "" : "s"))")
            }
        }
    }

    /// Paths, globs expanded through ListFiles, `--from` lines and `--items` lines, in order,
    /// without duplicates (the same path twice, or for items the same key twice).
    private func expandInputs(_ context: TranscodelyContext, origin: String) async throws -> [(path: String, key: String?)] {
        var inputs: [(path: String, key: String?)] = []
        for path in paths {
            if path.contains(where: { "*?[".contains($0) }) {
                inputs += try await Self.glob(path, origin: origin, context).map { ($0, nil) }
            } else {
                inputs.append((path, nil))
            }
        }
        if let from {
            let (text, _) = try Self.read(from, option: "--from")
            inputs += text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { ($0, nil) }
        }
        if let items {
            let (text, location) = try Self.read(items, option: "--items")
            inputs += try Self.itemLines(text, at: location)
        }
        var seen = Set<String>()
        return inputs.filter { seen.insert($0.key.map { "key:" + $0 } ?? "path:" + $0.path).inserted }
    }

    /// A file's text, or with `-` the command's here-document, and where its first line is.
    private static func read(_ name: String, option: String) throws -> (String, SourceLocation) {
        if name == "-" {
            guard let input = CommandInput.current else {
                throw ShellError("batch: \(option) - reads the command's here-document, and it has none; end the line with <<ITEMS, then the lines, then ITEMS", status: 2)
            }
            return (input.text, input.location)
        }
        guard let text = try? String(contentsOfFile: name, encoding: .utf8) else {
            throw ShellError("batch: cannot read \(option) \(name): no such file or not text", status: 1)
        }
        return (text, SourceLocation(file: name, line: 1, column: 1))
    }

    /// `--items` lines: `PATH [KEY]`, as the shell's words (quotes as in a command; `#` comments).
    static func itemLines(_ text: String, at location: SourceLocation) throws -> [(path: String, key: String?)] {
        let lines: [ParsedCommand]
        do {
            lines = try Parser(file: location.file).parse(text, firstLine: location.line)
        } catch {
            // An item line left open (a quote) is shown, not the command's line.
            var failure = ShellError(error)
            let itemLines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if failure.sourceLine == nil, let at = failure.location.map({ $0.line - location.line }), itemLines.indices.contains(at) {
                failure.sourceLine = String(itemLines[at])
            }
            throw failure
        }
        return try lines.map { line in
            guard line.words.count <= 2 else {
                throw ShellError("batch: an item is PATH [KEY], and this line has \(line.words.count) words; quote a path that holds blanks",
                                 location: line.words[2].location, sourceLine: line.sourceLine, status: 2)
            }
            let words = try line.words.map { word in
                guard let literal = word.literal else {
                    throw ShellError("batch: items are taken literally; quote a $ in a path or key ('…')",
                                     location: word.location, sourceLine: line.sourceLine, status: 2)
                }
                return literal
            }
            return (words[0], words.count == 2 ? words[1] : nil)
        }
    }

    static func glob(_ pattern: String, origin: String, _ context: TranscodelyContext) async throws -> [String] {
        let prefix = String(pattern.prefix { !"*?[".contains($0) })
        var matches: [String] = []
        var token = ""
        repeat {
            let page: ListFilesResponse
            do {
                page = try await context.origins.listFiles(ListFilesRequest(originID: origin, prefix: prefix, pageSize: 1000, pageToken: token))
            } catch {
                // No such method (or, behind a proxy that answers 404 for it, not found while the
                // origin itself is there): this API cannot list; any other error is the origin's.
                let missing: Bool
                switch error.code {
                case .unimplemented: missing = true
                case .notFound: missing = (try? await context.origins.get(id: origin)) != nil
                default: missing = false
                }
                if missing {
                    throw ShellError("batch: this API cannot list files (OriginService/ListFiles); give explicit paths or --from FILE")
                }
                throw error.shellError("batch")
            }
            matches += page.files.map(\.path).filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }
            token = page.nextPageToken
        } while !token.isEmpty
        if matches.isEmpty { throw ShellError("batch: no file of origin \(origin) matches \(pattern)") }
        return matches
    }

    /// `batch-` and a digest of the inputs, outputs, priority and origin.
    static func defaultName(inputs: [String], outputs: [OutputSpec], priority: Priority, origin: String) -> String {
        let basis = CreateJobRequest(inputOriginID: origin, inputPath: inputs.joined(separator: "\n"), outputOriginID: "",
                                     priority: priority, outputs: outputs)
        return "batch-" + KeyTemplate.derivedKey(for: basis).dropFirst("tcly-".count).prefix(8)
    }
}
