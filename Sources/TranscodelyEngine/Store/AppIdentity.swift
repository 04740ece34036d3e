import TranscodelyAPI

/// Who a valid API key speaks for.
public struct AppIdentity: Sendable, Hashable {
    public var appID: String
    public var orgID: String
    public var tier: Tier
}
