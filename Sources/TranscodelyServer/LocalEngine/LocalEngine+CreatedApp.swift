import TranscodelyEngine

extension LocalEngine {
    /// What a first start created, for the operator to be told once.
    public struct CreatedApp: Sendable {
        public var organizationID: String
        public var appName: String
        public var tier: Tier
        /// The key came from the caller (`TRANSCODELY_API_KEY`): it is not repeated.
        public var adopted: Bool
        /// The new key, shown once; nil when adopted.
        public var generatedKey: String?
    }
}
