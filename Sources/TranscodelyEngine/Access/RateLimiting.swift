import TranscodelyAPI

/// Where the engine counts requests against each app's rate limit: `RateLimiter` in memory (one
/// engine), or a store shared by several engines, so that an app gets its tier's rate across all of
/// them and not once per node (`Engine.Configuration.rateLimits`).
public protocol RateLimiting: Sendable {
    /// Counts one request of `app` at `tier`; nil when the tier is unlimited. Throws `StoreError`
    /// when a shared count cannot be reached.
    func admit(app: String, tier: Tier) async throws -> RateLimiter.Decision?
}

extension RateLimiter: RateLimiting {}
