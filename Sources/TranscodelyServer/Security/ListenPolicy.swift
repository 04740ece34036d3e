import TranscodelyEngine

/// Whether an address may be served in plain HTTP: loopback may (nothing leaves the machine);
/// anything else — `0.0.0.0`, `::`, a LAN address, a name that resolves off loopback — only with
/// TLS, or when the operator says they accept the risk (`--insecure-http`).
public enum ListenPolicy {
    /// Whether `host` (an address or a name) names only loopback addresses: `127.0.0.0/8`, `::1`,
    /// `localhost`. A name that does not resolve counts as not loopback.
    public static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        if let address = IPNetwork.Address(host) { return address.isLoopback }
        let addresses = IPNetwork.resolve(host)
        return !addresses.isEmpty && addresses.allSatisfy(\.isLoopback)
    }

    /// Why serving `host` as asked must not start, in one sentence saying what to do; nil when
    /// it may.
    public static func refusal(host: String, port: Int, tls: Bool, insecureHTTP: Bool) -> String? {
        guard !tls, !insecureHTTP, !isLoopback(host) else { return nil }
        return "--listen \(host):\(port) is reachable beyond this machine and would carry API keys in plain HTTP; serve TLS with --tls-cert FILE --tls-key FILE, or pass --insecure-http to accept the risk (a private network you trust)"
    }

    /// The warning printed at start and shown in `/healthz` when plain HTTP is served beyond
    /// loopback on purpose; nil when there is nothing to warn about.
    public static func warning(host: String, tls: Bool, insecureHTTP: Bool) -> String? {
        guard !tls, insecureHTTP, !isLoopback(host) else { return nil }
        return "serving plain HTTP beyond loopback (--insecure-http): API keys and job data cross the network unencrypted"
    }
}
