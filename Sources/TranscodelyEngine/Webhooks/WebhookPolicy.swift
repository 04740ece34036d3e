import Foundation
import TranscodelyAPI

/// Where and how the engine delivers webhooks: which addresses it may call, the retry schedule,
/// how long an attempt may take, when an endpoint that never answers is disabled, and how long
/// settled deliveries are kept. (Tests walk the schedule on a `TestClock`.)
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
    /// After this many deliveries in a row given up (each one out of attempts after the whole
    /// `schedule`), the endpoint is disabled: its pending deliveries are dropped, no event is
    /// queued for it any more, and `WebhookService/List` shows why (create the webhook again once
    /// the receiver works). A delivered delivery sets the count back to 0.
    ///
    /// 5 by default: with the default schedule one give-up already means about four and a half
    /// days without a 2xx, so 5 in a row is an endpoint that has been failing for days across
    /// several events, not one bad event (a receiver that rejects one malformed body keeps going,
    /// as the next delivered event resets the count); and it bounds how many events pile up
    /// retrying against a dead receiver. Must be at least 1.
    public var disableAfterGivenUp = 5
    /// How long settled deliveries (delivered, given up, dropped) and their attempts are kept
    /// after they ended, for `deliveries(jobID:)`, `deliveryAttempts(jobID:)` and diagnostics;
    /// the dispatcher prunes older ones at start and then hourly (on the store's clock). 7 days
    /// by default: a week to look into what a receiver got, while the outbox of a busy engine
    /// stays bounded. Pending deliveries are never pruned.
    public var retention: Duration = .seconds(7 * 86_400)
    /// How host names become addresses: the system resolver (`getaddrinfo`). Tests put a table
    /// here to give a name addresses without touching DNS or `/etc/hosts`.
    var resolve: @Sendable (String) -> [IPNetwork.Address] = { IPNetwork.resolve($0) }

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
        _ = try target(text)
    }

    /// Resolves an endpoint URL's host once and checks every address it gives against loopback
    /// and `allowedNetworks`: the addresses to connect to, and the only ones (the dispatcher
    /// pins its connection to them, so a second lookup cannot lead elsewhere). Throws as `check`.
    func target(_ text: String) throws(ConnectError) -> WebhookTarget {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw .invalidArgument("url: \"\(text)\" is not an http:// or https:// URL")
        }
        guard let host = url.host, !host.isEmpty else { throw .invalidArgument("url: \"\(text)\" has no host") }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let literal = IPNetwork.Address(bare)
        let addresses = literal.map { [$0] } ?? resolve(bare)
        guard !addresses.isEmpty else {
            throw .invalidArgument("url: host \(host) does not resolve to an address")
        }
        for address in addresses where !allows(address) {
            let named = bare == address.text ? host : "\(host) (\(address.text))"
            let width = address.bytes.count * 8
            throw .failedPrecondition("url: \(named) is outside loopback and the networks this engine delivers to; start tcly serve with --webhook-allow \(address.text)/\(width) (or a wider CIDR) to allow it")
        }
        return WebhookTarget(host: bare, addresses: addresses, isLiteral: literal != nil)
    }

    func allows(_ address: IPNetwork.Address) -> Bool {
        address.isLoopback || allowedNetworks.contains { $0.contains(address) }
    }
}

/// Where one delivery may go: its URL's host, and the addresses that host resolved to when the
/// delivery was checked, every one allowed, in the resolver's order (the order they are tried).
struct WebhookTarget: Sendable, Hashable {
    /// The URL's host without IPv6 brackets: what the Host header, TLS SNI and the certificate
    /// check use.
    var host: String
    var addresses: [IPNetwork.Address]
    /// The host is an address itself: there is nothing to resolve.
    var isLiteral: Bool
}
