import Foundation
import Synchronization

/// A loopback TCP proxy that breaks connections on purpose, for tests of what a client does when
/// the network fails: it forwards a request and then drops the connection before the answer
/// (the server did the work; the client never hears of it), resets connections as they open, or
/// holds answers back. Faults follow a fixed rhythm (every Nth request), so runs repeat.
public final class FaultProxy: @unchecked Sendable {
    /// What to do to the Nth request (counting from 1) or connection.
    public struct Faults: Sendable {
        /// Forward every Nth request, then close the connection as its answer begins, unsent.
        public var dropAfterRequestEvery: Int?
        /// Reset every Nth new connection at once.
        public var resetConnectionEvery: Int?
        /// Forward these requests (numbered from 1), then close as their answers begin, unsent.
        public var dropRequests: Set<Int>
        /// Hold every answer back this long.
        public var delay: Duration?
        /// Hold every Nth answer back for `stall` (a server that stops answering for a while).
        public var stallEvery: Int?
        public var stall: Duration
        /// Send only the first half of every Nth answer, then close the connection.
        public var truncateEvery: Int?

        public init(dropAfterRequestEvery: Int? = nil, dropRequests: Set<Int> = [], resetConnectionEvery: Int? = nil,
                    delay: Duration? = nil, stallEvery: Int? = nil, stall: Duration = .seconds(2), truncateEvery: Int? = nil) {
            self.dropAfterRequestEvery = dropAfterRequestEvery
            self.dropRequests = dropRequests
            self.resetConnectionEvery = resetConnectionEvery
            self.delay = delay
            self.stallEvery = stallEvery
            self.stall = stall
            self.truncateEvery = truncateEvery
        }
    }

    public let port: Int
    private let listener: Int32
    private let target: Int
    private let faults: Faults
    private let counters = Mutex((requests: 0, connections: 0, dropped: 0, reset: 0, answers: 0, stalled: 0, truncated: 0))
    /// While set, every connection is reset as it opens and open ones are cut: the far side is "down".
    private let isDown = Atomic<Bool>(false)
    private let open = Mutex<[ObjectIdentifier: Connection]>([:])

    /// Listens on a free loopback port and forwards to `127.0.0.1:target`.
    public init(to target: Int, faults: Faults) throws {
        self.target = target
        self.faults = faults
        let socket = try LoopbackSocket(listening: 512)
        listener = socket.descriptor
        port = socket.port
        Thread { [self] in acceptLoop() }.start()
    }

    /// How many requests were dropped after forwarding, and connections reset.
    public var dropped: Int { counters.withLock { $0.dropped } }
    public var reset: Int { counters.withLock { $0.reset } }
    /// How many answers were held back, and cut short.
    public var stalled: Int { counters.withLock { $0.stalled } }
    public var truncated: Int { counters.withLock { $0.truncated } }

    public func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    /// Takes the far side down (connections refused by reset, open ones cut) or brings it back.
    public func setDown(_ down: Bool) {
        isDown.store(down, ordering: .sequentiallyConsistent)
        if down { for pair in open.withLock({ Array($0.values) }) { pair.closeBoth() } }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let number = counters.withLock { $0.connections += 1; return $0.connections }
            if isDown.load(ordering: .sequentiallyConsistent) || faults.resetConnectionEvery.map({ number % $0 == 0 }) ?? false {
                var linger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                close(client)
                counters.withLock { $0.reset += 1 }
                continue
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = LoopbackSocket.address(port: target)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { close(client); close(server); continue }
            let pair = Connection(client: client, server: server)
            open.withLock { $0[ObjectIdentifier(pair)] = pair }
            Thread { [self] in pumpRequests(pair) }.start()
            Thread { [self] in pumpAnswers(pair) }.start()
        }
    }

    private final class Connection: @unchecked Sendable {
        let client: Int32
        let server: Int32
        private let closed = Mutex(false)
        /// Set when a request is to lose its answer: what the server sends is thrown away.
        let swallow = Atomic<Bool>(false)
        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
        func closeBoth() {
            let first = closed.withLock { was in defer { was = true }; return !was }
            guard first else { return }
            shutdown(client, Int32(SHUT_RDWR)); shutdown(server, Int32(SHUT_RDWR))
            close(client); close(server)
        }
    }

    private func pumpRequests(_ pair: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pair.client, &buffer, buffer.count)
            guard count > 0 else { break }
            // A request begins with its method; a body arriving in a later read is not counted.
            let starts = buffer.prefix(5).elementsEqual("POST ".utf8) || buffer.prefix(4).elementsEqual("GET ".utf8)
            let number = starts ? counters.withLock { $0.requests += 1; return $0.requests } : 0
            let drop = starts && (faults.dropRequests.contains(number) || faults.dropAfterRequestEvery.map { number % $0 == 0 } ?? false)
            // A dropped request is forwarded whole (a body may come in later reads) and its
            // connection closed only once the server's answer begins: the server did the work,
            // however slow the machine, and the client never hears of it.
            if drop { pair.swallow.store(true, ordering: .sequentiallyConsistent) }
            guard write(pair.server, buffer, count) == count else { break }
        }
        pair.closeBoth()
        open.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(pair)) }
    }

    private func pumpAnswers(_ pair: Connection) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pair.server, &buffer, buffer.count)
            guard count > 0 else { break }
            if pair.swallow.load(ordering: .sequentiallyConsistent) {
                counters.withLock { $0.dropped += 1 }
                break
            }
            if let delay = faults.delay {
                Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            }
            let starts = buffer.prefix(5).elementsEqual("HTTP/".utf8)
            let number = starts ? counters.withLock { $0.answers += 1; return $0.answers } : 0
            if starts, let every = faults.stallEvery, number % every == 0 {
                counters.withLock { $0.stalled += 1 }
                Thread.sleep(forTimeInterval: Double(faults.stall.components.seconds) + Double(faults.stall.components.attoseconds) / 1e18)
            }
            if starts, let every = faults.truncateEvery, number % every == 0 {
                counters.withLock { $0.truncated += 1 }
                _ = write(pair.client, buffer, count / 2)
                break
            }
            guard write(pair.client, buffer, count) == count else { break }
        }
        pair.closeBoth()
        open.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(pair)) }
    }
}
