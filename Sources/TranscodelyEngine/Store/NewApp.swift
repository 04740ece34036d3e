import TranscodelyAPI

/// An app about to be added, checked the same way by every store: an organization id of 1 to 128
/// printable ASCII characters, a name, and a key (given, or new) of at least 16.
public struct NewApp: Sendable {
    public var orgID: String
    public var name: String
    /// The key in clear: the one given, or a new random one.
    public var key: String

    /// Checks the parts; `invalidArgument` saying which is wrong.
    public init(orgID: String, name: String, key: String?) throws(ConnectError) {
        guard !orgID.isEmpty, orgID.utf8.count <= 128, orgID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConnectError.invalidArgument("organization id must be 1 to 128 printable ASCII characters without spaces")
        }
        guard !name.isEmpty else { throw ConnectError.invalidArgument("app name may not be empty") }
        let key = key ?? IDGenerator.apiKey()
        guard key.utf8.count >= 16, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConnectError.invalidArgument("API key must be at least 16 printable ASCII characters without spaces")
        }
        self.orgID = orgID
        self.name = name
        self.key = key
    }
}
