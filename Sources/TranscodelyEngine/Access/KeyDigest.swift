import Crypto
import Foundation

/// How API keys are kept: as the SHA-256 of the key (never the key), shown as a short hint. One
/// definition for every store and for the engine's key cache, so that a key hashes the same way
/// wherever it is looked up.
public enum KeyDigest {
    /// SHA-256 of a key: the only form in which keys are stored.
    public static func hash(_ key: String) -> Data { Data(SHA256.hash(data: Data(key.utf8))) }

    /// What is shown of a key: its first 8 characters after the prefix.
    public static func hint(_ key: String) -> String { String(key.prefix(11)) + "…" }
}
