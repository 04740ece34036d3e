import Foundation
import TranscodelyAPI

/// Where and how the engine delivers webhooks: which addresses it may call, the retry schedule,
/// and how long an attempt may take. (Tests walk the schedule on a `TestClock`.)
public struct WebhookPolicy: Sendable {
    /// Networks besides loopback that endpoints may be in (`--webhook-allow CIDR`). Loopback is
    /// always allowed; anything else, private or public, only when listed here.
    public var allowedNetworks: [IPNetwork] = []
    /// The Standard Webhooks schedule: the first attempt at once, then these delays; after the
    /// last, the delivery is given up.
    public var schedule: [Double] = [5, 300, 1800, 7200, 18000, 36000, 36000]
    /// How long one attempt may take before it counts as failed.
    public var timeout: Duration = .seconds(10)
    /// Attempts in flight at once.
    public var concurrency = 32
    /// A PEM file of a CA trusted for `https` receivers besides the system store
    /// (`tcly serve --ca-file`, `TRANSCODELY_CA_FILE`). Certificates are always verified.
    public var caFile: String?

    public init() {}

    /// The delay before attempt number `attempts + 1` (seconds: the schedule's, or the endpoint's
    /// Retry-After when longer), or nil when out of attempts.
    func delay(after attempts: Int, retryAfter: Double?) -> Double? {
        guard attempts >= 1, attempts <= schedule.count else { return nil }
        return max(schedule[attempts - 1], retryAfter ?? 0)
    }

    /// Checks an endpoint URL: http or https, a host, and every address it names allowed.
    /// Throws `invalid_argument`/`failed_precondition` naming what to change.
    public func check(_ text: String) throws(ConnectError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw .invalidArgument("url: \"\(text)\" is not an http:// or https:// URL")
        }
        guard let host = url.host, !host.isEmpty else { throw .invalidArgument("url: \"\(text)\" has no host") }
        let addresses = IPNetwork.resolve(host)
        guard !addresses.isEmpty else {
            throw .invalidArgument("url: host \(host) does not resolve to an address")
        }
        for address in addresses where !allows(address) {
            let named = host == address.text ? host : "\(host) (\(address.text))"
            throw .failedPrecondition("url: \(named) is outside loopback and the networks this engine delivers to; start tcly serve with --webhook-allow \(address.text)/32 (or a wider CIDR) to allow it")
        }
    }

    func allows(_ address: IPNetwork.Address) -> Bool {
        address.isLoopback || allowedNetworks.contains { $0.contains(address) }
    }
}
