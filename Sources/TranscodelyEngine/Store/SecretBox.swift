import Crypto
import Foundation

/// Seals the webhook secrets the engine must keep to sign with: AES-GCM under a key of its own in
/// `secrets.key` (mode 600) beside the store, so `engine.sqlite` — copied into a bug report, a
/// backup, a grep — never holds a secret in plain text.
struct SecretBox: Sendable {
    private let key: SymmetricKey
    static let prefix = "sealed1:"

    /// Loads the key from `file`, creating it (32 random bytes, readable by this user only) the
    /// first time.
    init(file: URL) throws {
        if let data = try? Data(contentsOf: file), data.count == 32 {
            key = SymmetricKey(data: data)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        let bytes = fresh.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: file.path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file.path])
        }
        key = fresh
    }

    func seal(_ text: String) throws -> String {
        let box = try AES.GCM.seal(Data(text.utf8), using: key)
        guard let combined = box.combined else { throw CocoaError(.coderInvalidValue) }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret in plain text (a value stored before sealing existed is returned as it is).
    func open(_ stored: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))) else { throw CocoaError(.coderInvalidValue) }
        return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }
}
