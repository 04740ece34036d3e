/// Makes the engine's identifiers: `job_…`, `evt_…`, API keys. Random, URL-safe, unguessable.
public enum IDGenerator {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `prefix` followed by `length` random base62 characters (about 5.95 bits each).
    public static func make(_ prefix: String, length: Int = 22) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        for _ in 0..<length {
            bytes.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))])
        }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }

    /// A new job id.
    public static func job() -> String { make("job_") }

    /// A new secret API key (238 bits of randomness).
    public static func apiKey() -> String { make("tk_", length: 40) }
}
