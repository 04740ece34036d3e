import ArgumentParser
import ShellKit
import TranscodelyAPI

/// `describe [SERVICE/METHOD|MESSAGE]`: what `APISchema` says of the API: alone, the services
/// and their methods; of a method, its request and response messages; of a message, its fields,
/// each with its JSON name, type, enum values, whether it is required and what it means.
struct DescribeCommand: ShellCommand {
    static let about = CommandAbout(name: "describe", group: "API", summary: "a method's request and response fields, or a message's",
                                    example: "describe JobService/Create")

    @Argument(help: "SERVICE/METHOD (as JobService/List) or MESSAGE (as Job); nothing lists the methods.") var name: String?
    @Flag(help: "Print it as one JSON document.") var json = false

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        if await shell.wantsJSON { json = true }
        guard var name else {
            if json { return shell.output.line(JSONValue.array(APISchema.methods.map(Self.document)).compact) }
            for service in APISchema.services {
                shell.output.line("\(service.name) — \(service.summary)")
                var table = Table(["", "", ""])
                for method in service.methods { table.add(["", method.name, method.summary]) }
                shell.output.line(table.text.split(separator: "\n").dropFirst().joined(separator: "\n"))
            }
            shell.output.line("describe SERVICE/METHOD shows a method's fields; describe MESSAGE one message's.")
            return
        }
        if name.hasPrefix("transcodely.v1.") { name.removeFirst("transcodely.v1.".count) }
        if let method = APISchema.method(name) {
            if json { return shell.output.line(Self.document(method).compact) }
            let retry = switch method.safety {
            case .read: "a read: sent again after a failure"
            case let .keyedCreate(field): "sent again after a failure only when \(field) is set"
            case .write: "never sent again after a failure that leaves in doubt whether it ran"
            }
            shell.output.line("\(method.path) — \(method.summary)")
            shell.output.line("POST /transcodely.v1.\(method.path); \(retry)")
            for (role, messageName) in [("request", method.request), ("response", method.response)] {
                guard let message = APISchema.message(messageName) else { continue }
                shell.output.line("")
                shell.output.line(Self.text(message, role: role))
            }
            let inside = Self.nested([method.request, method.response])
            if !inside.isEmpty { shell.output.line("\nmessages inside: \(inside.joined(separator: ", ")) (describe NAME)") }
            return
        }
        guard let message = APISchema.message(name) else {
            let names = APISchema.methods.map(\.path) + APISchema.messages.map(\.name)
            let near = names.min { Self.distance($0.lowercased(), name.lowercased()) < Self.distance($1.lowercased(), name.lowercased()) }
            let hint = near.map { "; did you mean \($0)?" } ?? ""
            throw ShellError("describe: no method or message \"\(name)\"\(hint) (describe lists the methods)", status: 2)
        }
        if json { return shell.output.line(Self.document(message).compact) }
        shell.output.line(Self.text(message, role: "message"))
        let inside = Self.nested([message.name])
        if !inside.isEmpty { shell.output.line("\nmessages inside: \(inside.joined(separator: ", ")) (describe NAME)") }
    }

    /// A message's heading and one row per field.
    static func text(_ message: APIMessage, role: String) -> String {
        let heading = "\(role) \(message.name) — \(message.summary)"
        guard !message.fields.isEmpty else { return heading + "\n  (no fields)" }
        var table = Table(["  field", "type", "", "meaning"])
        for field in message.fields {
            let values = field.type.enumValues.map { ": " + $0.joined(separator: " | ") } ?? ""
            table.add(["  " + field.name, field.type.description, field.required ? "required" : "optional", field.summary + values])
        }
        return heading + "\n" + table.text
    }

    /// The messages reachable from `roots`, not counting them, in the order first met.
    static func nested(_ roots: [String]) -> [String] {
        var seen = Set(roots), order: [String] = [], queue = roots
        while !queue.isEmpty {
            guard let message = APISchema.message(queue.removeFirst()) else { continue }
            for field in message.fields {
                if let inner = field.type.messageName, seen.insert(inner).inserted {
                    order.append(inner)
                    queue.append(inner)
                }
            }
        }
        return order
    }

    static func document(_ method: APIMethod) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [("method", .string(method.path)), ("summary", .string(method.summary))]
        if let request = APISchema.message(method.request) { fields.append(("request", document(request))) }
        if let response = APISchema.message(method.response) { fields.append(("response", document(response))) }
        return .object(fields)
    }

    static func document(_ message: APIMessage) -> JSONValue {
        .object([
            ("name", .string(message.name)), ("summary", .string(message.summary)),
            ("fields", .array(message.fields.map { field in
                var entry: [(key: String, value: JSONValue)] = [
                    ("name", .string(field.name)), ("type", .string(field.type.description)), ("required", .bool(field.required)),
                ]
                if let values = field.type.enumValues { entry.append(("enum", .array(values.map(JSONValue.string)))) }
                entry.append(("summary", .string(field.summary)))
                return .object(entry)
            })),
        ])
    }

    /// Edit distance, for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
}
