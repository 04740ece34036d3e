import ArgumentParser
import Crypto
import Foundation
import TranscodelyAPI

/// `tcly webhook verify`: checks a delivery the way a receiver must (Standard Webhooks), for
/// users debugging their own receivers.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Webhook helpers.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a webhook delivery's signature and timestamp; the payload comes on stdin.",
            discussion: """
                stdin holds either the body alone, with --id, --timestamp and --signature giving the headers, or a whole
                HTTP request as captured (for example by `nc -l 8089 > delivery`): headers, a blank line, the body.
                The secret comes from --secret or, kept out of the process list, TCLY_WEBHOOK_SECRET.
                """)

        @Option(help: "The endpoint's secret (whsec_…); TCLY_WEBHOOK_SECRET is read when absent.") var secret: String?
        @Option(help: "The webhook-id header.") var id: String?
        @Option(help: "The webhook-timestamp header (Unix seconds).") var timestamp: String?
        @Option(help: "The webhook-signature header (v1,… ; several separated by spaces).") var signature: String?
        @Flag(help: "Accept a timestamp more than 5 minutes away (an old capture).") var ignoreAge = false

        func run() async throws {
            guard let secret = secret ?? ProcessInfo.processInfo.environment["TCLY_WEBHOOK_SECRET"], !secret.isEmpty else {
                fail("webhook verify: no secret; pass --secret whsec_… or set TCLY_WEBHOOK_SECRET", code: 2)
            }
            let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            var headers = ["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature].compactMapValues { $0 }
            var body = input
            if headers.isEmpty, let request = Self.parseRequest(input) {
                (headers, body) = request
            }
            let key: SymmetricKey
            do { key = try WebhookSignature.key(secret) } catch { fail("invalid: \(error.description)") }
            let now = Int64(Date().timeIntervalSince1970)
            do {
                try WebhookSignature.verify(key: key, id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
                                            signature: headers["webhook-signature"], body: body, now: now,
                                            tolerance: ignoreAge ? .max / 2 : WebhookSignature.tolerance)
            } catch {
                fail("invalid: \(error.description)")
            }
            let age = now - (Int64(headers["webhook-timestamp"] ?? "") ?? now)
            var line = "valid: webhook-id \(headers["webhook-id"] ?? "") signed \(age) s ago"
            if let event = try? JSONDecoder().decode(WebhookEvent.self, from: Data(body)) {
                line += "; \(event.type) \(event.data.job.id) (\(event.data.job.status.rawValue))"
            }
            print(line)
        }

        /// Headers (lower-cased names) and body of a captured HTTP request, or nil when the input
        /// does not start like one.
        static func parseRequest(_ bytes: [UInt8]) -> ([String: String], [UInt8])? {
            let separators: [[UInt8]] = [Array("\r\n\r\n".utf8), Array("\n\n".utf8)]
            for separator in separators {
                guard let end = bytes.firstRange(of: separator) else { continue }
                let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
                let lines = head.split(whereSeparator: \.isNewline)
                guard let first = lines.first, first.contains("HTTP/") else { return nil }
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return (headers, Array(bytes[end.upperBound...]))
            }
            return nil
        }
    }
}
