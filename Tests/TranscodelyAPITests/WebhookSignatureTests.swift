import Crypto
import Foundation
import Testing
import TranscodelyAPI

/// Standard Webhooks signatures: the specification's published vector, and every way a delivery
/// is refused.
@Suite(.timeLimit(.minutes(5))) struct WebhookSignatureTests {
    // The test vector of the Standard Webhooks reference libraries.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp: Int64 = 1_614_265_330
    let body = Array(#"{"test": 2432232314}"#.utf8)
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    @Test func theSpecificationVectorSignsAndVerifies() throws {
        let key = try WebhookSignature.key(secret)
        #expect(WebhookSignature.sign(key: key, id: id, timestamp: timestamp, body: body) == expected)
        // The prefix is optional, as in the reference libraries.
        #expect(WebhookSignature.sign(key: try WebhookSignature.key(String(secret.dropFirst(6))), id: id, timestamp: timestamp, body: body) == expected)
        try WebhookSignature.verify(key: key, id: id, timestamp: String(timestamp), signature: expected, body: body, now: timestamp)
        // Several signatures (a rotated secret): one matching is enough.
        try WebhookSignature.verify(key: key, id: id, timestamp: String(timestamp), signature: "v1,bm9wZQ== " + expected,
                                    body: body, now: timestamp + 299)
    }

    @Test func tamperedWrongSecretOldFutureAndMissingAreRefused() throws {
        let key = try WebhookSignature.key(secret)
        func refusal(key: SymmetricKey? = nil, id: String? = "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: String? = "1614265330",
                     signature: String? = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body: [UInt8]? = nil,
                     now: Int64 = 1_614_265_330) -> WebhookSignature.Failure? {
            do throws(WebhookSignature.Failure) {
                try WebhookSignature.verify(key: key ?? (try! WebhookSignature.key(self.secret)), id: id, timestamp: timestamp,
                                            signature: signature, body: body ?? self.body, now: now)
                return nil
            } catch { return error }
        }
        #expect(refusal(body: Array(#"{"test": 2432232315}"#.utf8)) == .noMatchingSignature)
        #expect(refusal(key: try WebhookSignature.key(WebhookSignature.newSecret())) == .noMatchingSignature)
        #expect(refusal(id: "msg_other") == .noMatchingSignature)
        #expect(refusal(now: timestamp + 301) == .timestampOutOfTolerance(seconds: -301))
        #expect(refusal(now: timestamp - 301) == .timestampOutOfTolerance(seconds: 301))
        #expect(refusal(timestamp: "yesterday") == .badTimestamp("yesterday"))
        // Extreme numbers are refused as far away, never trap.
        #expect(refusal(timestamp: String(Int64.min)) == .timestampOutOfTolerance(seconds: Int64.min / 2))
        #expect(refusal(timestamp: String(Int64.max)) == .timestampOutOfTolerance(seconds: Int64.max - 1_614_265_330))
        #expect(refusal(id: nil) == .missingHeader("webhook-id"))
        #expect(refusal(signature: "") == .missingHeader("webhook-signature"))
        #expect(refusal(signature: "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") == .noMatchingSignature)
        // Messages say what to check and never carry the secret.
        for failure in [refusal(now: timestamp + 301), refusal(id: "x")].compactMap({ $0 }) {
            #expect(!failure.description.contains("MfKQ9r8"))
        }
        _ = key
        #expect(throws: WebhookSignature.Failure.badSecret) { try WebhookSignature.key("whsec_!!!") }
    }

    @Test func newSecretsAreDistinctAndUsable() throws {
        let a = WebhookSignature.newSecret(), b = WebhookSignature.newSecret()
        #expect(a != b && a.hasPrefix("whsec_"))
        let key = try WebhookSignature.key(a)
        let signature = WebhookSignature.sign(key: key, id: "evt_1", timestamp: 10, body: [1, 2, 3])
        try WebhookSignature.verify(key: key, id: "evt_1", timestamp: "10", signature: signature, body: [1, 2, 3], now: 10)
    }
}
