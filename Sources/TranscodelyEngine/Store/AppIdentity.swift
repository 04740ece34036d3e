import TranscodelyAPI

/// Who a valid API key speaks for.
public struct AppIdentity: Sendable, Hashable {
    public var appID: String
    public var orgID: String
    public var tier: Tier

    public init(appID: String, orgID: String, tier: Tier) {
        self.appID = appID
        self.orgID = orgID
        self.tier = tier
    }
}
