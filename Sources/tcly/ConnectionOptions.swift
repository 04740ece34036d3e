import ArgumentParser
import Foundation
import Logging
import TranscodelyAPI
import TranscodelyClient
import TranscodelyEngine
import TranscodelyServer

/// Where the shell connects, from flags or the environment; with no API key, the local engine
/// started in this process (the embedded default).
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The API's base URL (TRANSCODELY_API_URL).") var apiURL: String?
    @Option(help: "The API key (TRANSCODELY_API_KEY); never written to history, journals or logs.") var apiKey: String?
    @Option(help: "The organization id (TRANSCODELY_ORG_ID).") var org: String?
    @Option(help: ArgumentHelp("A PEM CA to trust for https besides the system's (TRANSCODELY_CA_FILE).", valueName: "FILE")) var caFile: String?
    @Option(help: "The embedded engine's encoder when no API key is set: ffmpeg or simulate.") var encoder: String?
    @OptionGroup var data: DataOption

    /// A transport to the configured API, or to a local engine started now (returned too, to stop it).
    func connect() async -> (ConnectTransport, LocalEngine?) {
        let environment = ProcessInfo.processInfo.environment
        let key = apiKey ?? environment["TRANSCODELY_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let key {
            guard let org = org ?? environment["TRANSCODELY_ORG_ID"], !org.isEmpty else {
                fail("an API key is set but no organization; set TRANSCODELY_ORG_ID or pass --org", code: 2)
            }
            let url = apiURL ?? environment["TRANSCODELY_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? ClientConfiguration.defaultBaseURL
            let ca = caFile.map { ($0, "--ca-file") }
                ?? environment["TRANSCODELY_CA_FILE"].flatMap { $0.isEmpty ? nil : ($0, "TRANSCODELY_CA_FILE") }
            if let (path, source) = ca {
                do { try TrustedCA.check(path, source: source) } catch { fail(error.message, code: 2) }
            }
            return (ConnectTransport(configuration: ClientConfiguration(baseURL: url, apiKey: APIKey(key), organizationID: org,
                                                                        caFile: ca?.0)), nil)
        }
        return await embedded()
    }

    /// The local engine in this process, on a free loopback port, with a key of its own.
    private func embedded() async -> (ConnectTransport, LocalEngine?) {
        var configuration = LocalEngine.Configuration(dataDirectory: data.directory)
        configuration.logger = makeLogger("tcly.embedded")
        configuration.logger.logLevel = .error
        configuration.apps = .issue(organizationID: "org_local", appName: "shell")
        switch encoder ?? "ffmpeg" {
        case "simulate": configuration.encoder = .simulate(SimulatedEncoder.Spec())
        case "ffmpeg": configuration.encoder = .ffmpegOrSimulate
        case let other: fail("--encoder takes ffmpeg or simulate, got \"\(other)\"", code: 2)
        }
        let local: LocalEngine
        do { local = try await LocalEngine.start(configuration) } catch where error.code == .store {
            fail("\(error.message) (or set TRANSCODELY_API_URL, TRANSCODELY_API_KEY and TRANSCODELY_ORG_ID to use a running engine)")
        } catch {
            fail("the local engine did not start: \(error.message)")
        }
        for warning in local.warnings { warn(warning) }
        let note = local.simulatesForLackOfFFmpeg ? "; ffmpeg is not installed (apt-get install ffmpeg), so jobs are simulated" : ""
        FileHandle.standardError.write(Data("tcly: no API key set; using the local engine at \(local.baseURL) (data \(data.directory.path), encoder \(local.engine.encoder.name)\(note))\n".utf8))
        guard let credentials = local.credentials else {
            try? await local.stop()
            fail("the local engine started without a key for the shell")
        }
        let transport = ConnectTransport(configuration: ClientConfiguration(
            baseURL: local.baseURL, apiKey: APIKey(credentials.apiKey), organizationID: credentials.organizationID))
        return (transport, local)
    }
}
