extension LocalEngine {
    /// An organization and an API key of one of its apps: what a client needs to call the engine.
    /// Printing it never shows the key.
    public struct Credentials: Sendable, Hashable, CustomStringConvertible {
        public var organizationID: String
        public var apiKey: String

        public init(organizationID: String, apiKey: String) {
            self.organizationID = organizationID
            self.apiKey = apiKey
        }

        /// `TRANSCODELY_API_KEY` and `TRANSCODELY_ORG_ID`, when both are set and not empty.
        public static func fromEnvironment(_ environment: [String: String]) -> Credentials? {
            guard let key = environment["TRANSCODELY_API_KEY"], !key.isEmpty,
                  let org = environment["TRANSCODELY_ORG_ID"], !org.isEmpty else { return nil }
            return Credentials(organizationID: org, apiKey: key)
        }

        public var description: String { "Credentials(organizationID: \(organizationID), apiKey: ***)" }
    }
}
