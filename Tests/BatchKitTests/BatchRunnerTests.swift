import Foundation
import Synchronization
import Testing
import Timekeeping
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyTestSupport
@testable import BatchKit

/// Batches against a real engine: paced to zero 429s, idempotent reruns, retry-failed, control
/// while running, cancellation accounting, and a monitor that costs one request per tick.
@Suite(.serialized, .timeLimit(.minutes(5))) struct BatchRunnerTests {
    @Test func twoThousandCreatesAtTheStandardTierWithoutOne429ThenARerunCreatesNothing() async throws {
        try await BatchFixtures.with { f in
            let items = try f.items(2000)
            let runner = BatchRunner(client: f.jobs, pacer: Pacer(.standard))
            let report = await runner.run(items)
            #expect(report.counts.created == 2000 && report.counts.failed == 0)
            #expect(try await f.metric("tcly_rate_limited_total") == 0)
            let jobs = try await f.allJobs()
            #expect(jobs.count == 2000 && Set(jobs.compactMap(\.idempotencyKey)).count == 2000)
            // How close to the rate limit this runs is measured by scripts/bench/batch, not here: a
            // wall-clock bound fails on a loaded machine.

            let rerun = await BatchRunner(client: f.jobs, pacer: Pacer(.standard)).run(items)
            #expect(rerun.counts.existed == 2000 && rerun.counts.created == 0)
            #expect(try await f.metric("tcly_rate_limited_total") == 0)
            #expect(try await f.allJobs().count == 2000)
            #expect(zip(report.outcomes, rerun.outcomes).allSatisfy { $0.job?.id == $1.job?.id })
        }
    }

    @Test func failedCreatesGoAgainUnderTheirKeyAndFailedJobsAsRetries() async throws {
        try await BatchFixtures.with(spec: "probe=0,encode=0.05,fail=0.1") { f in
            let items = try f.items(300, corrupt: [3, 30, 300 - 1])
            // Two thirds go through; the rest meet a key the server refuses.
            let first = await BatchRunner(client: f.jobs, pacer: Pacer(.standard)).run(Array(items[..<200]))
            let refused = await BatchRunner(client: f.strangerJobs(), pacer: Pacer(.standard)).run(Array(items[200...]))
            #expect(first.counts.created == 200 && refused.counts.failed == 100)
            #expect(refused.outcomes.allSatisfy { if case let .failed(code, _, attempts) = $0 { code == "unauthenticated" && attempts == 1 } else { false } })
            let resend = RetryFailed.creates(refused)
            #expect(resend.map(\.key) == items[200...].map(\.key))
            let second = await BatchRunner(client: f.jobs, pacer: Pacer(.standard)).run(resend)
            #expect(second.counts.created == 100 && second.counts.failed == 0)
            // Everything again: all 300 existed, none was made twice.
            let again = await BatchRunner(client: f.jobs, pacer: Pacer(.standard)).run(items)
            #expect(again.counts.existed == 300)
            #expect(try await f.allJobs().count == 300)

            // Wait for every job to end, then resubmit the failed ones as retries.
            let monitor = JobMonitor(metadata: ["batch_id": "b1"])
            while true {
                _ = try await monitor.poll(f.jobs)
                if await monitor.count == 300, await monitor.open == 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let failed = try await f.allJobs().filter { $0.status == .failed }
            #expect(failed.contains { $0.inputPath.contains("corrupt") && $0.error?.code == "input_unreadable" })
            #expect(failed.contains { $0.error?.code == "encode_failed" })
            let retries = try failed.enumerated().map { index, job in
                try RetryFailed.resubmission(of: job, request: BatchFixtures.request(job.inputPath), index: index)
            }
            let third = await BatchRunner(client: f.jobs, pacer: Pacer(.standard)).run(retries)
            #expect(third.counts.created == failed.count)
            #expect(zip(retries, failed).allSatisfy { $0.retryOf == $1.id && $0.key == "\($1.idempotencyKey!)~retry-1" })
            #expect(try await f.allJobs().count == 300 + failed.count)
        }
    }

    @Test func pauseResumeAndRateChangesTakeEffectWhileRunning() async throws {
        // The pacer and the engine's rate limiter run on one test clock: what is granted is
        // decided by the clock, not by how fast this machine happens to be.
        let clock = TestClock()
        try await BatchFixtures.with(clock: clock.source) { f in
            let items = try f.items(400)
            let pacer = Pacer(Pacer.Settings(rate: 100, burst: 20, concurrency: 10), clock: clock.source)
            let sent = CountingCreates(f.jobs)
            let runner = BatchRunner(client: sent, pacer: pacer, clock: clock.source)
            let done = Atomic<Int>(0)
            // Scoped: the run ends within the test (awaited below), whatever happens in between.
            async let run = runner.run(items, progress: { counts in done.store(counts.done, ordering: .relaxed) })
            // 95 % of the burst of 20 go at t = 0; the next waits on the clock, which stands still.
            let deadline = ContinuousClock.now + .seconds(30)
            while done.load(ordering: .relaxed) < 19, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            #expect(done.load(ordering: .relaxed) == 19 && sent.count == 19)
            await pacer.pause()
            // Ten seconds pass (a thousand requests' worth): the sleepers wake, and, paused, send nothing.
            clock.advance(by: .seconds(10))
            for _ in 0..<200 { await Task.yield() }
            #expect(sent.count == 19, "nothing is sent while paused")
            await pacer.update(rate: 100, concurrency: 10)
            await pacer.resume()
            // The rest at 100/s: the clock moves 10 ms at a time while the creates travel to the
            // real server, which paces by the same clock.
            let end = ContinuousClock.now + .seconds(60)
            while !sent.finished(400), ContinuousClock.now < end {
                clock.advance(by: .milliseconds(10))
                try await Task.sleep(for: .milliseconds(1))
            }
            let report = await run
            #expect(report.counts.created == 400)
            #expect(try await f.metric("tcly_rate_limited_total") == 0)
        }
    }

    @Test func cancellingStopsLaunchingAndAccountsForEveryItem() async throws {
        try await BatchFixtures.with { f in
            let items = try f.items(1000)
            let runner = BatchRunner(client: f.jobs, pacer: Pacer(Pacer.Settings(rate: 100, burst: 50, concurrency: 8)))
            let report = await runner.run(items, progress: { counts in if counts.done >= 100 { runner.cancel() } })
            #expect(report.counts.created + report.counts.notSent == 1000)
            #expect(report.counts.notSent > 0 && report.counts.failed == 0)
            let jobs = try await f.allJobs()
            #expect(jobs.count == report.counts.created)
            let sent = Set(zip(items, report.outcomes).compactMap { $1.job == nil ? nil : $0.key })
            #expect(Set(jobs.compactMap(\.idempotencyKey)) == sent)
        }
    }

    @Test func theMonitorCostsOneRequestPerTickNotOnePerJob() async throws {
        try await BatchFixtures.with(tier: .unlimited, spec: "probe=0,encode=0.2", workers: 32) { f in
            let report = await BatchRunner(client: f.jobs, pacer: Pacer(.premium)).run(try f.items(500))
            let monitor = JobMonitor()
            await monitor.track(report.outcomes.compactMap(\.job))
            var ticks = 0
            var changes = 0
            while await monitor.open > 0, ticks < 200 {
                changes += try await monitor.poll(f.jobs).count
                ticks += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await monitor.open == 0)
            #expect(await monitor.counts[.completed] == 500)
            #expect(changes >= 500)
            // One List per tick, plus one per extra page of 1000 changes at most.
            #expect(await monitor.requests <= ticks + 3)
        }
    }
}
