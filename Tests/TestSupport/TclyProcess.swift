import Foundation

/// The `tcly` binary run as a separate process, as a user runs it: for tests of start-up, crashes
/// (kill -9) and restarts. The binary is `.build/debug/tcly` (scripts/test builds it first) or
/// `$TCLY_BIN`.
public final class TclyProcess: @unchecked Sendable {
    public let process = Process()
    private let output = Pipe()
    private let errors = Pipe()

    /// Where the binary is.
    public static func binary(file: String = #filePath) -> URL {
        if let path = ProcessInfo.processInfo.environment["TCLY_BIN"] { return URL(fileURLWithPath: path) }
        var root = URL(fileURLWithPath: file)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/tcly")
    }

    /// Starts `tcly ARGUMENTS` with extra environment variables.
    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let binary = Self.binary()
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TclyProcessError("no tcly binary at \(binary.path); run `swift build --product tcly` first (scripts/test does)")
        }
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TRANSCODELY_API_KEY"] = nil
        env["TRANSCODELY_ORG_ID"] = nil
        for (name, value) in environment { env[name] = value }
        process.environment = env
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    /// Runs `tcly ARGUMENTS` to the end: exit status, standard output and standard error.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let tcly = try TclyProcess(arguments, environment: environment)
        let out = tcly.output.fileHandleForReading.readDataToEndOfFile()
        let err = tcly.errors.fileHandleForReading.readDataToEndOfFile()
        tcly.process.waitUntilExit()
        return (tcly.process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Reads standard output until a line contains `marker` (or the process ends): returns that line.
    public func waitForLine(containing marker: String, seconds: Double = 60) throws -> String {
        let handle = output.fileHandleForReading
        var buffer = ""
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            buffer += String(decoding: data, as: UTF8.self)
            if let line = buffer.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
        }
        let rest = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        throw TclyProcessError("tcly never printed \"\(marker)\"; stdout: \(buffer) stderr: \(rest)")
    }

    /// The base URL from a `listening on http://…` line.
    public func waitForListening() throws -> String {
        let line = try waitForLine(containing: "listening on ")
        guard let range = line.range(of: "http://") else { throw TclyProcessError("no URL in \(line)") }
        return String(line[range.lowerBound...].prefix { $0 != " " })
    }

    public func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

public struct TclyProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A free loopback port (bound and released at once).
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
