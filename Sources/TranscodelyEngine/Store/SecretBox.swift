import Crypto
import Foundation

/// Seals the webhook secrets the engine must keep to sign with: AES-GCM under a key of its own in
/// `secrets.key` (mode 600) beside the store, so `engine.sqlite` — copied into a bug report, a
/// backup, a grep — never holds a secret in plain text.
public struct SecretBox: Sendable {
    private let key: SymmetricKey
    static let prefix = "sealed1:"

    /// Why the key cannot be used, in a sentence that says what to do.
    public struct Unusable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads the key from `file`, creating it (32 random bytes, readable by this user only) when
    /// there is none. An existing file is never replaced: that would lose every stored secret.
    public init(file: URL) throws {
        if FileManager.default.fileExists(atPath: file.path) {
            OwnerOnly.tightenIfPresent(file.path)
            guard let data = try? Data(contentsOf: file), data.count == 32 else {
                throw Unusable(description: "\(file.path) is unreadable or not 32 bytes; restore it (webhook secrets are sealed with it), or move it away to start with a new one (every webhook must then be created again)")
            }
            key = SymmetricKey(data: data)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        let fd = Foundation.open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Unusable(description: "cannot create \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = fresh.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == 32 else { throw Unusable(description: "cannot write \(file.path)") }
        key = fresh
    }

    /// `text` sealed for storing (`sealed1:` and base64 of nonce, ciphertext and tag).
    public func seal(_ text: String) throws -> String {
        let box = try AES.GCM.seal(Data(text.utf8), using: key)
        guard let combined = box.combined else { throw CocoaError(.coderInvalidValue) }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret in plain text (a value stored before sealing existed is returned as it is).
    public func open(_ stored: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))) else { throw CocoaError(.coderInvalidValue) }
        return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }
}
