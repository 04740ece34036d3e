import ArgumentParser
import Foundation
import ShellKit
import TranscodelyAPI
import TranscodelyClient

/// `call SERVICE/METHOD [JSON|@FILE|-]`: any method of the API with the body as written, through
/// the client transport (its auth headers; its retry policy: reads and keyed creates only), the
/// answer printed as indented JSON (`--json`: one line). `-v` shows the status and the headers
/// that matter on standard error, `Authorization` redacted. An error answer is printed as the API
/// sent it and the command fails. A call that creates or cancels a job updates the session as
/// `submit` and `cancel` do (`$last`, `status`, `save`).
struct CallCommand: ShellCommand {
    static let about = CommandAbout(name: "call", group: "API", summary: "send any API method a JSON body and print the answer",
                                    example: #"call JobService/List '{"status": "failed", "page_size": 5}' -v"#)

    @Argument(help: "SERVICE/METHOD, as JobService/Get (call alone lists the methods).") var method: String?
    @Argument(help: "The JSON body ($NAME and ${NAME.field} expand in it), @FILE to read it from a file, or - for the here-document (default {}).")
    var body: String?
    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Also show the HTTP status and the headers that matter (Authorization redacted).")
    var verbose = false
    @Flag(help: "Print the answer as one compact line of JSON.") var json = false

    /// The response headers `-v` shows.
    static let shownHeaders = ["Content-Type", "RateLimit", "RateLimit-Policy", "Retry-After", "Idempotent-Replayed"]

    mutating func run(in shell: Shell<TranscodelyContext>) async throws {
        if await shell.wantsJSON { json = true }
        guard var method else { return Self.list(shell) }
        if method.hasPrefix("/") { method.removeFirst() }
        if method.hasPrefix("transcodely.v1.") { method.removeFirst("transcodely.v1.".count) }
        let known = APISchema.method(method)
        guard method.split(separator: "/").count == 2 else {
            throw ShellError("call: \"\(method)\" is not SERVICE/METHOD, as JobService/Get; call alone lists the methods", status: 2)
        }
        if known == nil {
            shell.output.error("call: note: \(method) is not a method this shell knows (call lists them); sending it anyway, a newer API may have it")
        }
        let text = try await Self.expanded(try bodyText(), in: shell)
        var parsed: JSONValue?
        do { parsed = try JSONValue(parsing: text) } catch {
            shell.output.error("call: note: the body is not JSON (\(error)); sending it as written")
        }
        if let known, let parsed, let message = APISchema.message(known.request) {
            let problems = RequestCheck.problems(parsed, message: message)
            for problem in problems { shell.output.error("call: note: \(problem)") }
            if !problems.isEmpty { shell.output.error("call: note: sending it as written; the API's answer decides") }
        }
        guard let transport = shell.host.transport else {
            throw ShellError("call: this shell's connection has no transport for raw calls; start tcly with an API URL")
        }
        let exchange: Exchange
        do {
            exchange = try await transport.exchange(method, body: Array(text.utf8), retry: Self.retry(known, parsed))
        } catch {
            throw ShellError("call: \(method): \(error)")
        }
        if verbose { Self.show(exchange, method: method, baseURL: transport.configuration.baseURL, shell: shell) }
        let answer = String(decoding: exchange.body, as: UTF8.self)
        let printed = (try? JSONValue(parsing: answer)).map { json ? $0.compact : $0.pretty(colors: shell.output.colors) } ?? answer
        // An answer may hold a webhook's secret (WebhookService/Create): never printed, nor captured.
        shell.output.line(shell.profile.redaction.redact(printed))
        guard exchange.info.httpStatus == 200 else {
            let error = (try? JSONDecoder().decode(ConnectError.self, from: Data(exchange.body)))
                ?? ConnectError(ConnectError.Code(httpStatus: exchange.info.httpStatus), "HTTP \(exchange.info.httpStatus) without a Connect error body")
            throw ShellError("call: \(method) answered HTTP \(exchange.info.httpStatus) \(error.code.rawValue): \(error.message)")
        }
        try await Self.remember(method, exchange.body, in: shell)
    }

    /// The body as given: inline, from `@FILE`, or the here-document (`-`, or no body with one).
    private func bodyText() throws(ShellError) -> String {
        switch body {
        case let file? where file.hasPrefix("@"):
            guard let text = try? String(contentsOfFile: String(file.dropFirst()), encoding: .utf8) else {
                throw ShellError("call: cannot read \(file): no such file or not text", status: 1)
            }
            return text
        case "-"?, nil:
            if let input = CommandInput.current { return input.text }
            guard body == nil else {
                throw ShellError("call: - reads the command's here-document, and it has none; end the line with <<JSON, then the body, then JSON", status: 2)
            }
            return "{}"
        case let text?: return text
        }
    }

    /// `$NAME` and `${NAME.field}` in the body replaced by their values (a JSON body is usually in
    /// single quotes, where the shell itself expands nothing).
    static func expanded(_ text: String, in shell: Shell<TranscodelyContext>) async throws(ShellError) -> String {
        do { return try await shell.expand(template: text) } catch { throw error.of("call") }
    }

    /// Reads are safe to send again; a Create only with its idempotency key; anything else only
    /// after a refusal that proves it did not run.
    static func retry(_ method: APIMethod?, _ body: JSONValue?) -> ConnectTransport.Retry {
        switch method?.safety {
        case .read?: return .safe
        case let .keyedCreate(field)?:
            let camel = APIField(field, .string, "").camelName
            if case let .string(key)? = body?[field] ?? body?[camel], !key.isEmpty { return .safe }
            return .refusedOnly
        case .write?, nil: return .refusedOnly
        }
    }

    /// `call` alone: every method with one line each.
    static func list(_ shell: Shell<TranscodelyContext>) {
        var table = Table(["method", "what it does"])
        for method in APISchema.methods { table.add([method.path, method.summary]) }
        shell.output.line(table.text)
        shell.output.line("describe METHOD shows its fields; call METHOD '{…}' sends it.")
    }

    /// `-v`: the request line and headers, the status and the answer's headers that matter.
    static func show(_ exchange: Exchange, method: String, baseURL: String, shell: Shell<TranscodelyContext>) {
        var lines = ["> POST \(baseURL)/transcodely.v1.\(method)"]
        lines += exchange.requestHeaders.map { "> \($0.name): \($0.value)" }
        let attempts = exchange.attempts > 1 ? " (after \(exchange.attempts) attempts)" : ""
        lines.append("< HTTP \(exchange.info.httpStatus)\(attempts)")
        for name in shownHeaders {
            if let value = exchange.header(name) { lines.append("< \(name): \(value)") }
        }
        for line in lines { shell.output.error(shell.profile.redaction.redact(line)) }
    }

    /// What the session learns from a successful answer: a created job is recorded (and is
    /// `$last`), a cancelled or read job it knows is updated.
    static func remember(_ method: String, _ body: [UInt8], in shell: Shell<TranscodelyContext>) async throws {
        let session = shell.host.session
        switch method {
        case "JobService/Create":
            guard let job = try? JSONDecoder().decode(JobResponse.self, from: Data(body)).job else { return }
            let request = CreateJobRequest(inputOriginID: job.inputOriginID, inputPath: job.inputPath, outputOriginID: job.outputOriginID,
                                           idempotencyKey: job.idempotencyKey, priority: job.priority, metadata: job.metadata,
                                           outputs: job.outputs)
            try await session.record(job, request: request, viaCall: true)
            await shell.set("last", job.id)
        case "JobService/Cancel", "JobService/Get":
            guard let job = try? JSONDecoder().decode(JobResponse.self, from: Data(body)).job else { return }
            try await session.update(job)
        case "JobService/List":
            guard let page = try? JSONDecoder().decode(ListJobsResponse.self, from: Data(body)) else { return }
            for job in page.jobs { try await session.update(job) }
        default: break
        }
    }
}
