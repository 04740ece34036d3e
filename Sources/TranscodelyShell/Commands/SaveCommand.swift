import ArgumentParser
import Foundation
import ShellKit
import Timekeeping
import TranscodelyAPI
import TranscodelyClient

/// `save FILE`: the session as a script that replays to the same jobs, as it was typed: `set`
/// lines (but never one holding an API key or webhook secret), then each batch as one `batch`
/// command whose items — every path with its key written out literally (a key made from
/// `{date}` today is the same key tomorrow) — follow in a here-document, so that a replay goes
/// through the pacer at the API's rate; a job of no batch is a `submit` line. Items of one batch
/// that asked for different things (a retry with other outputs) make one `batch` line each.
struct SaveCommand: ShellCommand {
    static let about = CommandAbout(name: "save", group: "Session", summary: "write the session as a replayable script",
                                    example: "save nightly.tcly")
    @Argument var file: String

    /// What the items of one `batch` line share.
    struct Group: Hashable {
        var batch: String
        var inputOriginID: String
        var outputOriginID: String
        var priority: Priority
        var metadata: [String: String]
        var outputs: [OutputSpec]

        init(_ request: CreateJobRequest, batch: String) {
            self.batch = batch
            inputOriginID = request.inputOriginID
            outputOriginID = request.outputOriginID
            priority = request.priority
            metadata = request.metadata
            if metadata["batch_id"] == batch { metadata["batch_id"] = nil }
            outputs = request.outputs
        }
    }

    /// One command of the saved script.
    enum Part {
        case submit(ShellSession.Entry)
        case batch(Int)
    }

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        let context = shell.host
        var lines = ["# tcly session saved \(Date(timeIntervalSince1970: context.clock.timestamp.seconds)); `tcly run \((file as NSString).lastPathComponent)` hits the same jobs again"]
        // A line holding something shaped like a secret is left out, saying so.
        for line in await shell.log where line.hasPrefix("set ") || line.hasPrefix("preset ") {
            if TranscodelyCommands.profile.redaction.redact(line) == line {
                lines.append(line)
            } else {
                let name = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                lines.append("# set \(name): left out, its value looks like a secret; set it again before running this script")
            }
        }
        var parts: [Part] = []
        var groups: [(group: Group, items: [(path: String, key: String?)], keys: Set<String>)] = []
        var groupIndex: [Group: Int] = [:]
        func add(_ request: CreateJobRequest, batch: String) {
            let group = Group(request, batch: batch)
            let index = groupIndex[group] ?? {
                groups.append((group, [], []))
                groupIndex[group] = groups.count - 1
                parts.append(.batch(groups.count - 1))
                return groups.count - 1
            }()
            if let key = request.idempotencyKey {
                guard groups[index].keys.insert(key).inserted else { return }
            }
            groups[index].items.append((request.inputPath, request.idempotencyKey))
        }
        let entries = await context.session.jobs()
        for entry in entries {
            if let batch = entry.batch { add(entry.request, batch: batch) } else { parts.append(.submit(entry)) }
        }
        // Creates that failed are items of their batch too: a replay sends them again.
        for failure in await context.session.failures {
            if let batch = failure.batch { add(failure.request, batch: batch) }
        }
        for part in parts {
            switch part {
            case let .submit(entry) where entry.viaCall == true: lines += Self.callLines(entry)
            case let .submit(entry): lines.append(Self.submitLine(entry))
            case let .batch(index): lines += Self.batchLines(groups[index].group, items: groups[index].items)
            }
        }
        do {
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw ShellError("save: cannot write \(file): \(error.localizedDescription)")
        }
        let batches = Set(groups.map(\.group.batch)).count
        let items = groups.reduce(0) { $0 + $1.items.count }
        shell.output.line("saved \(items + entries.count(where: { $0.batch == nil })) job(s), \(batches) batch(es) to \(file)")
    }

    /// One `batch` command with its items in a here-document.
    static func batchLines(_ group: Group, items: [(path: String, key: String?)]) -> [String] {
        var words = ["batch", "--name", quote(group.batch), "--input-origin", quote(group.inputOriginID),
                     "--output-origin", quote(group.outputOriginID)]
        for output in group.outputs { words += ["--output", quote(OutputSpecParser.format(output))] }
        if group.priority != .standard { words += ["--priority", group.priority.rawValue] }
        for (key, value) in group.metadata.sorted(by: { $0.key < $1.key }) { words += ["--meta", quote("\(key)=\(value)")] }
        let body = items.map { item in ([quote(item.path)] + (item.key.map { [quote($0)] } ?? [])).joined(separator: " ") }
        // The end word must not be an item line.
        var end = "ITEMS"
        while body.contains(end) { end += "_" }
        return [(words + ["--items", "-", "<<" + end]).joined(separator: " ")] + body + [end]
    }

    static func submitLine(_ entry: ShellSession.Entry) -> String {
        let request = entry.request
        var words = ["submit", quote(request.inputPath), "--input-origin", quote(request.inputOriginID),
                     "--output-origin", quote(request.outputOriginID)]
        for output in request.outputs { words += ["--output", quote(OutputSpecParser.format(output))] }
        if request.priority != .standard { words += ["--priority", request.priority.rawValue] }
        for (key, value) in request.metadata.sorted(by: { $0.key < $1.key }) where !(key == "batch_id" && value == entry.batch) {
            words += ["--meta", quote("\(key)=\(value)")]
        }
        if let batch = entry.batch { words += ["--batch", quote(batch)] }
        if let key = request.idempotencyKey { words += ["--key", quote(key)] }
        return words.joined(separator: " ")
    }

    /// A job `call JobService/Create` made, as that call: its request with the key it had, so a
    /// replay hits the same job; without a key, a comment says that a replay creates a new one.
    static func callLines(_ entry: ShellSession.Entry) -> [String] {
        // `call` expands $NAME in its body: a dollar of the request is written \$.
        let body = JSONWriterText.of(entry.request).replacingOccurrences(of: "$", with: "\\$")
        let line = "call JobService/Create " + quote(body)
        guard entry.request.idempotencyKey == nil else { return [line] }
        return ["# \(entry.job.id) was created without an idempotency_key: replaying this call creates a new job", line]
    }

    /// A word the shell reads back unchanged.
    static func quote(_ word: String) -> String {
        let safe = !word.isEmpty && word.allSatisfy { ($0.isLetter || $0.isNumber) && $0.isASCII || "-_./:,=@+%".contains($0) }
        if safe { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
