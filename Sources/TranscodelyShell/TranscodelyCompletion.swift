import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// What Tab offers for the transcoding commands: job ids and batch names from the session,
/// enum values (`--priority`, `--status`, `wait --for`), preset names, SPEC parts, remote paths
/// through OriginService/ListFiles for `submit`/`batch`, and local files for `--from`, `save` and
/// `source`; inside `call`, method names, then the request's field names and values
/// (`RequestCheck` and `describe` read the same `APISchema`).
public struct TranscodelyCompletion: CompletionSource {
    let shell: Shell<TranscodelyContext>

    public init(shell: Shell<TranscodelyContext>) { self.shell = shell }

    public func values(command: String, option: String?, prefix: String) async -> [String] {
        let context = shell.host
        switch option {
        case "--priority": return Priority.allCases.map(\.rawValue)
        case "--status": return JobStatus.allCases.map(\.rawValue)
        case "--for": return WaitCommand.Condition.allCases.map(\.rawValue)
        case "--timeout": return ["30s", "5m", "1h"].filter { $0.hasPrefix(prefix) }
        case "--preset": return context.presetNames
        case "--batch", "--name": return await context.session.batchOrder
        case "--output": return Self.specs(prefix)
        case "--from": return Self.localFiles(prefix)
        case "--input-origin", "--output-origin", "--origin":
            return (try? await context.origins.list().map(\.id)) ?? []
        case nil: break
        default: return []
        }
        switch command {
        case "submit", "batch": return await remote(prefix, context)
        case "show", "status", "cancel", "watch", "wait", "retry-failed": return await context.session.jobs().map(\.job.id)
        case "why": return await context.session.jobs(status: .failed).map(\.job.id)
        case "save", "source", "replay": return Self.localFiles(prefix)
        case "files": return (try? await context.origins.list().map(\.id)) ?? []
        case "help": return shell.registry.names
        case "call": return APISchema.methods.map(\.path)
        case "describe": return APISchema.methods.map(\.path) + APISchema.messages.map(\.name)
        default: return []
        }
    }

    /// Paths of the input origin under the typed prefix, one folder level at a time.
    private func remote(_ prefix: String, _ context: TranscodelyContext) async -> [String] {
        guard let page = try? await context.origins.listFiles(ListFilesRequest(originID: context.inputOrigin, prefix: prefix, pageSize: 1000))
        else { return [] }
        return page.files.map { file in
            let rest = file.path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") { return prefix + rest[...slash] }
            return file.path
        }
    }

    static func specs(_ prefix: String) -> [String] {
        let parts = prefix.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 0, 1: return OutputFormat.allCases.map { $0.rawValue + ":" }
        case 2: return VideoCodec.allCases.map { "\(parts[0]):\($0.rawValue):" }
        default:
            let head = prefix[..<(prefix.lastIndex(where: { $0 == ":" || $0 == "," }).map { prefix.index(after: $0) } ?? prefix.endIndex)]
            return Resolution.allCases.map { head + $0.rawValue }
        }
    }

    static func localFiles(_ prefix: String) -> [String] {
        let directory = prefix.contains("/") ? String(prefix[...prefix.lastIndex(of: "/")!]) : ""
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        return listing.filter { !$0.hasPrefix(".") }.map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory + name, isDirectory: &isDirectory)
            return directory + name + (isDirectory.boolValue ? "/" : "")
        }
    }
}
