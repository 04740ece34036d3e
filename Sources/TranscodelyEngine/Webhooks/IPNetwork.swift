import Foundation

/// An IPv4 or IPv6 network in CIDR form (`10.0.0.0/8`, `fd00::/8`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// An address as its bytes (4 or 16).
    public struct Address: Sendable, Hashable {
        public var bytes: [UInt8]
        public var text: String {
            var buffer = [CChar](repeating: 0, count: 64)
            var copy = bytes
            _ = inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, &copy, &buffer, socklen_t(buffer.count))
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        public var isLoopback: Bool {
            if bytes.count == 4 { return bytes[0] == 127 }
            if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
            // ::ffff:127.x.x.x
            return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
        }

        public init?(_ text: String) {
            var v4 = in_addr(), v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                bytes = withUnsafeBytes(of: v4) { Array($0) }
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                bytes = withUnsafeBytes(of: v6) { Array($0) }
            } else {
                return nil
            }
        }

        init(bytes: [UInt8]) { self.bytes = bytes }
    }

    public var address: Address
    public var prefix: Int
    public var description: String { "\(address.text)/\(prefix)" }

    /// Parses `ADDRESS/PREFIX` (or a bare address, a network of one).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let address = Address(String(first)) else { return nil }
        let width = address.bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...width).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            prefix = width
        }
        self.address = address
    }

    public func contains(_ other: Address) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        var bits = prefix
        for (a, b) in zip(address.bytes, other.bytes) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }

    /// The addresses a host name (or literal) resolves to, each once, in the resolver's order;
    /// none when it does not resolve. (`getaddrinfo`: it blocks while the system resolves.)
    public static func resolve(_ host: String) -> [Address] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = Address(bare) { return [literal] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(bare, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var found: [Address] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node {
            if entry.pointee.ai_family == AF_INET, let raw = entry.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { found.append(Address(bytes: withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) })) }
            } else if entry.pointee.ai_family == AF_INET6, let raw = entry.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { found.append(Address(bytes: withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) })) }
            }
            node = entry.pointee.ai_next
        }
        // Each once, in the resolver's order (RFC 6724's preference): the order they are tried.
        var seen = Set<Address>()
        return found.filter { seen.insert($0).inserted }
    }
}
