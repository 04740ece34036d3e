import TranscodelyAPI
import TranscodelyClient

/// What `retry-failed` does with each failed job: send it again, skip it because a retry cannot
/// help (a corrupt or unsupported input: `effectiveRetryable == false`), or hold it back because
/// its input (`input_not_found`) is still missing — checked with one `ListFiles` per folder.
struct RetrySelection {
    /// Failed jobs to resubmit, in the order given.
    var send: [ShellSession.Entry] = []
    /// Failed jobs a retry cannot help.
    var skipped: [ShellSession.Entry] = []
    /// Failed jobs whose input is still missing.
    var missing: [ShellSession.Entry] = []
    /// Why missing inputs could not be checked (they are sent unchecked), if they could not.
    var uncheckable: ClientError?

    /// Sorts `failed` (the newest attempt of each item). With `everything` (`--all`) every one is
    /// sent, unchecked. `changed`: the retry changes the request, so a failure of the settings
    /// (not of the input) is worth sending even when the same request never succeeds.
    static func choose(_ failed: [ShellSession.Entry], changed: Bool, everything: Bool,
                       origins: any OriginServiceClient) async throws(CancellationError) -> RetrySelection {
        var selection = RetrySelection()
        guard !everything else {
            selection.send = failed
            return selection
        }
        var candidates: [ShellSession.Entry] = []
        for entry in failed {
            if canHelp(entry.job.error, changed: changed) { candidates.append(entry) } else { selection.skipped.append(entry) }
        }
        let notFound = candidates.filter { $0.job.error?.code == JobError.Code.inputNotFound.rawValue }
        var present: Set<InputPresence.Input> = []
        if !notFound.isEmpty {
            do {
                present = try await InputPresence.existing(Set(notFound.map(input)), in: origins)
            } catch {
                try error.stopIfCancelled()
                selection.uncheckable = error
                selection.send = candidates
                return selection
            }
        }
        for entry in candidates {
            if entry.job.error?.code == JobError.Code.inputNotFound.rawValue, !present.contains(input(entry)) {
                selection.missing.append(entry)
            } else {
                selection.send.append(entry)
            }
        }
        return selection
    }

    /// Whether a retry may succeed: unless the failure says it never will (the server's
    /// `retryable: false`, or what its code implies); with a changed request, also then, unless it
    /// is the input that is bad.
    static func canHelp(_ error: JobError?, changed: Bool) -> Bool {
        guard let error, error.effectiveRetryable == false else { return true }
        return changed && error.effectiveCategory != .input
    }

    private static func input(_ entry: ShellSession.Entry) -> InputPresence.Input {
        InputPresence.Input(origin: entry.request.inputOriginID, path: entry.request.inputPath)
    }

    /// What was not sent and why: the skipped grouped by code (count, category, the first job),
    /// then every input still missing.
    var notes: [String] {
        var lines: [String] = []
        if !skipped.isEmpty {
            lines.append("skipped \(skipped.count) failed job\(skipped.count == 1 ? "" : "s") a retry cannot help (retry-failed --all sends them anyway):")
            let groups = Dictionary(grouping: skipped) { $0.job.error?.code ?? "unknown" }
            for (code, entries) in groups.sorted(by: { ($1.value.count, $0.key) < ($0.value.count, $1.key) }) {
                let first = entries[0].job
                let kind = first.error?.effectiveCategory.map { "\($0.rawValue) failure, " } ?? ""
                lines.append("  \(code)  \(entries.count) job\(entries.count == 1 ? "" : "s") (\(kind)not retryable), first \(first.id) \(first.inputPath): \(first.error?.message ?? "")")
            }
        }
        if !missing.isEmpty {
            lines.append("\(missing.count) input\(missing.count == 1 ? "" : "s") still missing, not sent (put \(missing.count == 1 ? "it" : "them") in place, then retry-failed again):")
            for entry in missing { lines.append("  \(entry.request.inputOriginID):\(entry.request.inputPath)  \(entry.job.id)") }
        }
        if let uncheckable {
            lines.append("could not check whether missing inputs exist now (\(uncheckable.code.rawValue): \(uncheckable.message)); sent them anyway")
        }
        return lines
    }
}
