import ShellKit
import TranscodelyAPI
import TranscodelyClient

extension TranscodelyCompletion {
    /// Inside `call METHOD '{…`: field names of the method's request where a name is typed,
    /// enum values, job ids and origin ids where a value is (see `JSONCursor`).
    public func complete(line: String, command: String) async -> (word: String, candidates: [String])? {
        guard command == "call" else { return nil }
        var rest = Substring(line)
        func word() -> Substring {
            rest = rest.drop { $0 == " " }
            let token = rest.prefix { $0 != " " }
            rest = rest.dropFirst(token.count)
            return token
        }
        _ = word()  // call
        var method = word()
        while method.hasPrefix("-") { method = word() }
        guard rest.first == " ", let known = APISchema.method(String(method)) else { return nil }
        var body = rest.drop { $0 == " " }
        if body.first == "'" { body = body.dropFirst() }
        guard body.first == "{", let cursor = JSONCursor.at(end: String(body)),
              var message = APISchema.message(known.request) else { return nil }
        var field: APIField?
        for key in cursor.path {
            guard let found = message.field(key) else { return (cursor.prefix, []) }
            field = found
            if let inner = found.type.messageName.flatMap(APISchema.message) { message = inner }
        }
        switch cursor.place {
        case .key:
            return (cursor.prefix, message.fields.map { "\"\($0.name)\":" })
        case .value:
            guard let field else { return (cursor.prefix, []) }
            if let values = field.type.enumValues { return (cursor.prefix, values.map { "\"\($0)\"" }) }
            if case .boolean = field.type { return (cursor.prefix, ["true", "false"]) }
            switch field.references {
            case .job?: return (cursor.prefix, await shell.host.session.jobs().map { "\"\($0.job.id)\"" })
            case .origin?: return (cursor.prefix, ((try? await shell.host.origins.list().map(\.id)) ?? []).map { "\"\($0)\"" })
            case .webhook?, nil: return (cursor.prefix, [])
            }
        }
    }
}
