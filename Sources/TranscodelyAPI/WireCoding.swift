import Foundation

/// The JSON coders of the wire. Field names are spelled out in each type's coding keys (no key
/// strategy: converting names on every call is slow), so these are plain coders shared for speed.
public enum WireCoding {
    /// An encoder for responses and requests.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A deterministic encoder: sorted keys, used for canonical forms and stored documents.
    public static func canonicalEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder { JSONDecoder() }

    /// Decodes a request body, turning every failure into an `invalid_argument` that names the field.
    public static func decodeRequest<T: Decodable>(_ type: T.Type, from data: Data) throws(ConnectError) -> T {
        if data.isEmpty || data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            // Connect clients send `{}` for an empty message; an empty body means the same.
            do { return try JSONDecoder().decode(T.self, from: Data("{}".utf8)) } catch { throw ConnectError(decoding: error) }
        }
        let decoded: T
        do {
            decoded = try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ConnectError(decoding: error)
        }
        if let repeated = DuplicateKeyScanner.firstDuplicate(in: data) {
            throw ConnectError(.invalidArgument, "\(repeated): given twice; send each field once")
        }
        return decoded
    }
}
