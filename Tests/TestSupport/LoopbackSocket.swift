import Foundation

/// A TCP socket bound to a free port of 127.0.0.1 — listening when given a backlog — for tests
/// that need a port of their own: a free port to hand to a server (`freePort`), a listener that
/// never answers (the kernel takes connections into its backlog and nothing reads them), a proxy's
/// front.
public struct LoopbackSocket: Sendable {
    public let descriptor: Int32
    public let port: Int

    public init(listening backlog: Int32? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TclyProcessError("loopback socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, backlog.map({ listen(fd, $0) == 0 }) ?? true else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(fd)
            throw TclyProcessError("loopback socket: cannot \(bound == 0 ? "listen" : "bind"): \(reason)")
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    public func close() { _ = Glibc.close(descriptor) }

    /// 127.0.0.1:`port`, as the socket calls take it.
    public static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}

/// A free loopback port (bound and released at once).
public func freePort() -> Int {
    guard let socket = try? LoopbackSocket() else { return 0 }
    defer { socket.close() }
    return socket.port
}
