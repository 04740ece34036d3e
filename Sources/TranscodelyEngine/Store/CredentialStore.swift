/// Where organizations, apps and API key hashes live: what authentication, `tcly admin` and a
/// starting `LocalEngine` need of a store. Keys are kept as `KeyDigest.hash` only; a key in clear
/// exists in the answer that creates it and nowhere else. Every write is durable when it returns.
public protocol CredentialStore: Sendable {
    /// Adds an app (creating its organization when new) owning `key`, or a new random key, in one
    /// transaction. Returns the app and the key in clear. `alreadyExists` when the organization
    /// has an app of that name or the key belongs to an app; `invalidArgument` for a bad id or key.
    func createApp(orgID: String, name: String, tier: Tier, key: String?) async throws -> (AppRecord, String)

    /// Every app with its live key hints, by organization then name.
    func apps() async throws -> [AppRecord]

    /// Revokes the key given in full, or the one live key whose hint starts with `keyOrHint`
    /// (at least 6 characters); returns its hint. `notFound` when none or several match.
    func revokeKey(_ keyOrHint: String) async throws -> String

    /// The app a live key speaks for, or nil when the key is unknown or revoked. Looked up by
    /// hash, the stored hash then compared in constant time.
    func identity(forKey key: String) async throws -> AppIdentity?

    /// A fresh key for app `appName` of `orgID` (both created when new), revoking its earlier keys
    /// in the same transaction: the embedded shell's one key per session.
    func issueKey(orgID: String, appName: String, tier: Tier) async throws -> String

    /// Whether any app exists (a store with none is bootstrapped on first start).
    func hasApps() async throws -> Bool
}

extension CredentialStore {
    /// Adds an app owning a new random key.
    public func createApp(orgID: String, name: String, tier: Tier) async throws -> (AppRecord, String) {
        try await createApp(orgID: orgID, name: name, tier: tier, key: nil)
    }
}
