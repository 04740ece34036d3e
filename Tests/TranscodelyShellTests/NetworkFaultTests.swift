import Foundation
import ShellKit
import ShellKitTesting
import Testing
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer
import TranscodelyShell
import TranscodelyTestSupport

/// A 1,000-job batch from the shell to the engine through a proxy that breaks things: answers
/// dropped after the request went through, connections reset, 2-second stalls, answers cut in
/// half. Nothing is created twice, nothing is lost, and every failure is retried or reported with
/// its cause.
@Suite(.serialized, .timeLimit(.minutes(5))) struct NetworkFaultTests {
    @Test func aThousandJobBatchThroughABrokenNetworkLosesAndDuplicatesNothing() async throws {
        try await withShellFixture(spec: "probe=0,encode=0.01", tier: .unlimited) { f in
            let names = (0..<1000).map { "net/\($0).mp4" }
            try f.inputs(names)
            let proxy = try FaultProxy(to: f.server.port, faults: .init(dropAfterRequestEvery: 23, resetConnectionEvery: 7,
                                                                          stallEvery: 97, stall: .seconds(2), truncateEvery: 31))
            defer { proxy.stop() }
            let transport = ConnectTransport(configuration: ClientConfiguration(
                baseURL: "http://127.0.0.1:\(proxy.port)", apiKey: APIKey("tk_shell_tests_0001"), organizationID: "org_shell",
                timeout: .seconds(10), retry: RetryPolicy(maxAttempts: 10, base: .milliseconds(20), cap: .milliseconds(500))))
            let context = TranscodelyContext(transport: transport, session: try ShellSession(journal: nil))
            let (output, transcript) = ShellOutput.capture()
            let shell = TranscodelyCommands.shell(context, output: output)
            // Every item is accounted for: created, or found under its key after an ambiguous failure.
            await assertScript("batch 'net/*.mp4' --name net --key 'net_{path}' --rate 2000 --burst 2000 --concurrency 64",
                               in: shell, transcript: transcript, prints: "batch net: … created, … already existed, 0 failed (… s)\n")
            #expect(proxy.dropped > 10 && proxy.reset > 5 && proxy.stalled > 5 && proxy.truncated > 10,
                    "dropped \(proxy.dropped), reset \(proxy.reset), stalled \(proxy.stalled), truncated \(proxy.truncated)")
            var jobs: [Job] = []
            var token = ""
            repeat {
                let page = try await f.context.jobs.list(ListJobsRequest(pageSize: 1000, pageToken: token))
                jobs += page.jobs
                token = page.nextPageToken
            } while !token.isEmpty
            #expect(jobs.count == 1000 && Set(jobs.compactMap(\.idempotencyKey)).count == 1000)
            #expect(await context.session.jobs().count == 1000)
            // The figure docs/RELIABILITY.md records.
            print("network faults: 1000 jobs, \(jobs.count) stored, \(Set(jobs.compactMap(\.idempotencyKey)).count) keys; dropped \(proxy.dropped), reset \(proxy.reset), stalled \(proxy.stalled), truncated \(proxy.truncated)")
        }
    }
}
