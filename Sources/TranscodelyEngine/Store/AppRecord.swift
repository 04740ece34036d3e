import TranscodelyAPI

/// An app as administration sees it: who it is, its tier, and the hints of its keys.
public struct AppRecord: Sendable, Hashable, Codable {
    public var id: String
    public var orgID: String
    public var name: String
    public var tier: Tier
    /// `tk_AbCd…` for each key that is not revoked.
    public var keyHints: [String]

    public init(id: String, orgID: String, name: String, tier: Tier, keyHints: [String]) {
        self.id = id
        self.orgID = orgID
        self.name = name
        self.tier = tier
        self.keyHints = keyHints
    }
}
