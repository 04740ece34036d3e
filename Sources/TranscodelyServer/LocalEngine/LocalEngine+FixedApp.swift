extension LocalEngine {
    /// An app with a key chosen in advance.
    public struct FixedApp: Sendable, Hashable {
        public var organizationID: String
        public var name: String
        public var key: String
        public init(organizationID: String, name: String, key: String) {
            self.organizationID = organizationID
            self.name = name
            self.key = key
        }
    }
}
