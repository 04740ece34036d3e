import AsyncHTTPClient
import Crypto
import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import ShellKit
import ShellKitTesting
import Testing
import TranscodelyAPI
import TranscodelyClient
import TranscodelyServer
import TranscodelyShell
import TranscodelyTestSupport
@testable import TranscodelyEngine

/// `listen` and `watch --webhook` against a real engine: deliveries verified, duplicates dropped,
/// gaps filled by List(updated_since) when the listener was unreachable.
@Suite(.serialized, .timeLimit(.minutes(5))) struct WebhookShellTests {
    /// The secret the engine keeps for an endpoint (the listener never shows it).
    func secret(_ f: ShellFixture, _ webhookID: String) async throws -> SymmetricKey {
        let store = try #require(f.server.engine.store as? EngineStore)
        let text = try await store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT secret FROM webhooks WHERE id = ?", arguments: [webhookID])
        }
        // Sealed at rest; the engine opens it to sign.
        return try WebhookSignature.key(try store.secrets.open(try #require(text)))
    }

    /// POSTs a delivery to the listener: its status and body.
    func deliver(_ url: String, id: String, timestamp: Int64, body: [UInt8], key: SymmetricKey) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "webhook-id", value: id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = try await response.body.collect(upTo: 1 << 16)
        return (Int(response.status.code), String(buffer: text))
    }

    @Test func theListenerVerifiesDropsReplaysAndAppliesEventsToTheSession() async throws {
        try await withShellFixture(spec: "probe=0,encode=30") { f in
            try f.inputs(["w.mp4"])
            await f.assert("submit w.mp4 --key listen-1", prints: "job_…\n", errors: "")
            await f.assert("listen 0", prints: "listen: receiving at http://127.0.0.1:…/webhooks (webhook …); signatures checked, duplicates dropped\n",
                           errors: "")
            let listener = try #require(f.context.listener)
            let key = try await secret(f, listener.webhookID)
            var job = try #require(await f.context.session.jobs().first).job
            job.status = .canceled
            job.updatedAt = Timestamp(microseconds: job.updatedAt.microseconds + 3_600_000_000)  // newer than any real event
            let body = WebhookEvent(type: .canceled, id: "evt_test_1", createdAt: job.updatedAt, job: job).jsonBytes
            let now = Int64(Date().timeIntervalSince1970)
            #expect(try await deliver(listener.url, id: "evt_test_1", timestamp: now, body: body, key: key).0 == 204)
            #expect(await f.context.session.jobs().first?.job.status == .canceled)
            // The same id again is taken (204) but not applied twice.
            #expect(try await deliver(listener.url, id: "evt_test_1", timestamp: now, body: body, key: key).0 == 204)
            // Tampered, another secret, an old or a far future timestamp: refused with the reason.
            var tampered = body
            tampered[tampered.count - 2] ^= 1
            var request = HTTPClientRequest(url: listener.url)
            request.method = .POST
            request.headers.add(name: "webhook-id", value: "evt_test_2")
            request.headers.add(name: "webhook-timestamp", value: String(now))
            request.headers.add(name: "webhook-signature", value: WebhookSignature.sign(key: key, id: "evt_test_2", timestamp: now, body: body))
            request.body = .bytes(ByteBuffer(bytes: tampered))
            let refused = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(refused.status.code == 401)
            let other = try WebhookSignature.key(WebhookSignature.newSecret())
            let wrong = try await deliver(listener.url, id: "evt_test_3", timestamp: now, body: body, key: other)
            #expect(wrong.0 == 401 && wrong.1.contains("no v1 signature"))
            let old = try await deliver(listener.url, id: "evt_test_4", timestamp: now - 600, body: body, key: key)
            #expect(old.0 == 401 && old.1.contains("in the past"))
            let future = try await deliver(listener.url, id: "evt_test_5", timestamp: now + 600, body: body, key: key)
            #expect(future.0 == 401 && future.1.contains("in the future"))
            let counts = listener.counts
            // (The engine's own deliveries for the job, a progress event, are accepted too.)
            #expect(counts.accepted >= 1 && counts.duplicates == 1 && counts.rejected == 4)
            await f.assert("listen", prints: """
                listen: \(listener.url) (webhook \(listener.webhookID)): … accepted, 1 duplicate(s) dropped, 4 rejected; \
                last rejected: webhook-timestamp is … s in the future; more than 5 minutes away is refused (replayed or a wrong clock)

                """)
            // Stopping deletes the registration; nothing secret was journaled.
            await f.assert("listen --stop", prints: "listen: stopped; the webhook is deleted\n", errors: "")
            #expect(try await f.context.webhooks?.list().isEmpty == true)
            let journal = try String(contentsOf: f.journal, encoding: .utf8)
            #expect(!journal.contains("whsec_"))
        }
    }

    @Test func watchWithWebhooksReportsEveryFinalStateOnceThoughTheListenerWasDown() async throws {
        // 60 jobs of 0.5 s on 8 workers: about 4 s, the first part of it with the listener down.
        try await withShellFixture(spec: "probe=0,encode=0.5") { f in
            let names = (0..<60).map { "down/\($0).mp4" }
            try f.inputs(names)
            // The API reaches the listener through a proxy that can play dead.
            let port = freePort()
            let proxy = try FaultProxy(to: port, faults: .init())
            defer { proxy.stop() }
            #expect(await f.run("listen \(port) --url http://127.0.0.1:\(proxy.port)/webhooks").0 == 0)
            proxy.setDown(true)
            #expect(await f.run("batch 'down/*.mp4' --name down").0 == 0)
            // The listener comes back once a delivery has met it down and the watch has printed
            // what its first poll found (or after 30 s, when the test fails below).
            let printed = f.transcript.output.count
            async let comeBack: Void = {
                let deadline = ContinuousClock.now + .seconds(30)
                while proxy.reset == 0 || f.transcript.output.count == printed, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                proxy.setDown(false)
            }()
            let (status, out, errors) = await f.run("watch --webhook \(port) --json --interval 0.5")
            try await comeBack
            #expect(proxy.reset > 0, "no delivery met the listener down")
            #expect(status == 0, "\(errors)")
            let changes = try out.split(separator: "\n").map { try JSONDecoder().decode(Job.self, from: Data($0.utf8)) }
            let finals = Dictionary(grouping: changes.filter(\.status.isTerminal), by: \.id)
            #expect(finals.count == 60 && finals.values.allSatisfy { $0.count == 1 })
            #expect(finals.values.allSatisfy { $0[0].status == .completed })
            // Some came pushed once the listener was back (it was down for part of the batch only).
            #expect(f.context.listener?.counts.accepted ?? 0 > 0)
        }
    }

    @Test func aPortInUseIsSaidSoAndTheFirstListenerStays() async throws {
        try await withShellFixture() { f in
            await f.assert("listen 0", prints: "listen: receiving at http://127.0.0.1:…/webhooks (webhook …); signatures checked, duplicates dropped\n",
                           errors: "")
            let port = try #require(f.context.listener).port
            // A second shell on the same engine asks for the port the first one holds.
            let (output, transcript) = ShellOutput.capture()
            let context = TranscodelyContext(jobs: f.context.jobs, origins: f.context.origins, webhooks: f.context.webhooks,
                                             session: try ShellSession(journal: nil))
            let other = TranscodelyCommands.shell(context, output: output)
            await assertScript("listen \(port)", in: other, transcript: transcript, prints: "", errors: """
                error: test.script:1:1: listen: 127.0.0.1:\(port) is already in use; pick another port
                    listen \(port)
                    ^

                """, status: 1)
            #expect(f.context.listener?.port == port)
        }
    }
}
