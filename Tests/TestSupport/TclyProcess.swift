import Foundation

/// The `tcly` binary run as a separate process, as a user runs it: for tests of start-up, crashes
/// (kill -9) and restarts. The binary is `.build/debug/tcly` (scripts/test builds it first) or
/// `$TCLY_BIN`. Its output is read as it comes (see `ChildProgram`), so a chatty server never
/// stalls on a full pipe and no wait blocks the cooperative pool.
public final class TclyProcess: Sendable {
    public let program: ChildProgram
    public let arguments: [String]

    /// Where the binary is.
    public static func binary(file: String = #filePath) -> URL {
        if let path = ProcessInfo.processInfo.environment["TCLY_BIN"] { return URL(fileURLWithPath: path) }
        var root = URL(fileURLWithPath: file)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/tcly")
    }

    /// Starts `tcly ARGUMENTS` with extra environment variables (the caller's API key and
    /// organization are never inherited).
    public init(_ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil) throws {
        let binary = Self.binary()
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TclyProcessError("no tcly binary at \(binary.path); run `swift build --product tcly` first (scripts/test does)")
        }
        var env: [String: String?] = ["TRANSCODELY_API_KEY": nil, "TRANSCODELY_ORG_ID": nil]
        for (name, value) in environment { env[name] = value }
        self.arguments = arguments
        program = try ChildProgram(binary.path, arguments, environment: env, input: input)
    }

    /// Runs `tcly ARGUMENTS` to the end: exit status, standard output and standard error.
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil,
                           seconds: Double = 300) async throws -> (Int32, String, String) {
        let tcly = try TclyProcess(arguments, environment: environment, input: input)
        let status = try await tcly.program.exit(seconds: seconds)
        return (status, tcly.program.output, tcly.program.errors)
    }

    /// Waits until standard output has a line containing `marker`: returns that line.
    @discardableResult
    public func waitForLine(containing marker: String, seconds: Double = 60) async throws -> String {
        try await program.wait(seconds: seconds, for: "a line with \"\(marker)\"") { output, _ in output.contains(marker) }
        let output = program.output
        return String(output.split(separator: "\n").first { $0.contains(marker) } ?? "")
    }

    /// The base URL from a `listening on http://…` (or `https://…`) line.
    public func waitForListening() async throws -> String {
        let line = try await waitForLine(containing: "listening on ")
        guard let range = line.range(of: "https://") ?? line.range(of: "http://") else { throw TclyProcessError("no URL in \(line)") }
        return String(line[range.lowerBound...].prefix { $0 != " " })
    }

    /// Sends `signal` and waits until the process has ended.
    public func kill(_ signal: Int32) async throws {
        program.signal(signal)
        try await program.exit(seconds: 60)
    }
}

public struct TclyProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
