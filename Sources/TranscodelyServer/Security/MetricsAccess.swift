/// Who may read `GET /metrics`. On loopback anyone on the machine may (as before); a server that
/// listens beyond loopback answers it only to `Authorization: Bearer TOKEN` with the token given
/// by `--metrics-token` — and, with no token given, to nobody — so job counts and request rates
/// are not handed to the network. A token, once given, is required on loopback too.
public struct MetricsAccess: Sendable {
    enum Rule: Sendable {
        case open
        case bearer([UInt8])
        case closed
    }

    let rule: Rule

    /// Anyone may read the metrics.
    public static let open = MetricsAccess(rule: .open)
    /// Only `Authorization: Bearer token`.
    public static func bearer(_ token: String) -> MetricsAccess { MetricsAccess(rule: .bearer(Array(token.utf8))) }
    /// Nobody (beyond loopback without a token).
    public static let closed = MetricsAccess(rule: .closed)

    /// The rule for a server listening on loopback or not, with the token it was given (if any).
    public static func policy(listeningOnLoopback: Bool, token: String?) -> MetricsAccess {
        if let token, !token.isEmpty { return .bearer(token) }
        return listeningOnLoopback ? .open : .closed
    }

    /// Why a request with this `Authorization` header may not read the metrics; nil when it may.
    /// Never repeats what was sent.
    func refusal(authorization: String?) -> String? {
        switch rule {
        case .open:
            return nil
        case .closed:
            return "/metrics is not served beyond loopback without a token: start tcly serve with --metrics-token (or TRANSCODELY_METRICS_TOKEN) and send Authorization: Bearer <token>"
        case let .bearer(expected):
            let prefix = "Bearer "
            guard let authorization, authorization.hasPrefix(prefix),
                  Self.constantTimeEqual(Array(authorization.dropFirst(prefix.count).utf8), expected) else {
                return "/metrics needs Authorization: Bearer <the token given to tcly serve --metrics-token>"
            }
            return nil
        }
    }

    /// Compares without stopping at the first difference, so timing tells nothing of the token
    /// but its length.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
