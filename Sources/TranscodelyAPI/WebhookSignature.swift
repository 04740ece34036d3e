import Crypto
import Foundation

/// Signing and checking webhook deliveries per the Standard Webhooks specification: the signed
/// text is `{webhook-id}.{webhook-timestamp}.{body}`, the signature `v1,` + base64 of its
/// HMAC-SHA256 under the secret's key (`whsec_` + base64 of the key bytes).
public enum WebhookSignature {
    /// The prefix of every secret.
    public static let secretPrefix = "whsec_"
    /// How far a delivery's timestamp may be from the receiver's clock (5 minutes).
    public static let tolerance: Int64 = 300

    /// Why a delivery was refused; the description says what to check, never the secret.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badSecret
        case missingHeader(String)
        case badTimestamp(String)
        case timestampOutOfTolerance(seconds: Int64)
        case noMatchingSignature

        public var description: String {
            switch self {
            case .badSecret:
                "the secret is not a webhook secret: expected whsec_ followed by base64 (as WebhookService/Create showed it)"
            case let .missingHeader(name): "the \(name) header is missing"
            case let .badTimestamp(text): "webhook-timestamp \"\(text)\" is not a number of Unix seconds"
            case let .timestampOutOfTolerance(seconds):
                "webhook-timestamp is \(abs(seconds)) s \(seconds < 0 ? "in the past" : "in the future"); more than 5 minutes away is refused (replayed or a wrong clock)"
            case .noMatchingSignature:
                "no v1 signature in webhook-signature matches the body under this secret (tampered body, or another endpoint's secret)"
            }
        }
    }

    /// A new random secret: `whsec_` + base64 of 24 random bytes.
    public static func newSecret() -> String {
        secretPrefix + Data(SymmetricKey(size: .init(bitCount: 192)).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// The HMAC key of a secret (`whsec_` is optional, as in the reference libraries).
    public static func key(_ secret: String) throws(Failure) -> SymmetricKey {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { throw .badSecret }
        return SymmetricKey(data: bytes)
    }

    /// The `webhook-signature` header value for one attempt.
    public static func sign(key: SymmetricKey, id: String, timestamp: Int64, body: some Collection<UInt8>) -> String {
        "v1," + Data(mac(key: key, id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    private static func mac(key: SymmetricKey, id: String, timestamp: Int64, body: some Collection<UInt8>) -> HMAC<SHA256>.MAC {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: Array(body))
        return hmac.finalize()
    }

    /// Checks a delivery: the timestamp within `tolerance` of `now` (Unix seconds) and one of the
    /// space-separated `v1,` signatures matching, compared in constant time.
    public static func verify(key: SymmetricKey, id: String?, timestamp: String?, signature: String?,
                              body: some Collection<UInt8>, now: Int64, tolerance: Int64 = tolerance) throws(Failure) {
        guard let id, !id.isEmpty else { throw .missingHeader("webhook-id") }
        guard let timestamp, !timestamp.isEmpty else { throw .missingHeader("webhook-timestamp") }
        guard let signature, !signature.isEmpty else { throw .missingHeader("webhook-signature") }
        guard let seconds = Int64(timestamp) else { throw .badTimestamp(timestamp) }
        // Compared without subtracting first: any Int64 a sender puts in the header is safe here.
        guard seconds >= now - tolerance, seconds <= now + tolerance else {
            let (difference, overflow) = seconds.subtractingReportingOverflow(now)
            throw .timestampOutOfTolerance(seconds: overflow ? (seconds < now ? Int64.min / 2 : Int64.max / 2) : difference)
        }
        let signed = Array("\(id).\(seconds).".utf8) + Array(body)
        for candidate in signature.split(separator: " ") where candidate.hasPrefix("v1,") {
            // `isValidAuthenticationCode` compares in constant time.
            if let given = Data(base64Encoded: String(candidate.dropFirst(3))),
               HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: signed, using: key) {
                return
            }
        }
        throw .noMatchingSignature
    }
}
