import Foundation
import PostgresNIO
import Timekeeping
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

extension PostgresEngineStore: RateLimiting {
    /// Counts one request of `app` against its tier in the shared `rate_limits` row, so that the
    /// app gets its tier's rate across every node, not once per node: GCRA in one statement
    /// (`INSERT … ON CONFLICT DO UPDATE … WHERE` admitted), the row lock ordering the nodes'
    /// requests. A refusal reads the arrival in a second statement to say when to come back; the
    /// headers are computed as `RateLimiter` computes them.
    ///
    /// "Now" is the engine's clock, as for every `bigint` time of the store (and a test clock
    /// still moves it): nodes whose clocks differ by ε shift an app's allowance by ε × rate
    /// requests — under one request at 500/s for the milliseconds NTP keeps them apart.
    public func admit(app: String, tier: Tier) async throws -> RateLimiter.Decision? {
        guard let rate = tier.rate else { return nil }
        let (interval, tolerance) = RateLimiter.cell(rate: rate, burst: tier.burst)
        let now = clock.timestamp.microseconds
        let admitted = try await query("""
            INSERT INTO rate_limits AS r (app_id, arrival) VALUES (\(app), \(now + interval))
            ON CONFLICT (app_id) DO UPDATE SET arrival = GREATEST(r.arrival, \(now)) + \(interval)
                WHERE GREATEST(r.arrival, \(now)) + \(interval) - \(now) <= \(tolerance)
            RETURNING arrival
            """)
        if let row = admitted.first {
            let arrival = try row.decode(Int64.self)
            return RateLimiter.decide(tat: arrival - interval, now: now, rate: rate, burst: tier.burst)
        }
        let rows = try await query("SELECT GREATEST(arrival, \(now)) FROM rate_limits WHERE app_id = \(app)")
        guard let row = rows.first else { return nil }
        var refused = RateLimiter.decide(tat: try row.decode(Int64.self), now: now, rate: rate, burst: tier.burst)
        // Room came between the two statements: still refused (it was), with a wait of a second.
        if refused.allowed {
            refused.allowed = false
            refused.remaining = 0
            refused.retryAfterSeconds = 1
        }
        return refused
    }
}
