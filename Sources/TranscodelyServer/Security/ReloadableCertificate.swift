import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The certificate a TLS server presents, replaceable while it runs: every handshake takes the
/// pair current at that moment, so a renewed certificate is served from the next connection on,
/// and connections already open keep theirs.
///
/// `reloadIfChanged()` reads the files again when their identity (inode, size, modification time)
/// changed since the last look; a pair that fails the checks of `CertificatePair.load` is not
/// taken, and the one being served stays.
public final class ReloadableCertificate: Sendable {
    /// What a look at the files found.
    public enum Reload: Sendable, Equatable {
        case unchanged
        /// The new pair is served from now on; its leaf is valid until this date.
        case reloaded(notValidAfter: Date)
        /// The files changed but do not make a servable pair: why. The previous pair is kept.
        case rejected(String)
    }

    private struct State {
        var pair: CertificatePair
        /// 0 for the pair the TLS configuration was made with (no override needed).
        var generation: Int
        var stamp: FileStamp
    }

    /// The PEM files read at start and at every reload.
    public let certificateFile: String
    public let keyFile: String
    private let state: Mutex<State>

    /// Loads and checks the pair (see `CertificatePair.load`).
    public init(certificateFile: String, keyFile: String) throws(CertificateError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        let stamp = FileStamp(certificateFile, keyFile)
        let pair = try CertificatePair.load(certificateFile: certificateFile, keyFile: keyFile)
        state = Mutex(State(pair: pair, generation: 0, stamp: stamp))
    }

    /// The leaf's expiry of the pair being served.
    public var notValidAfter: Date { state.withLock { $0.pair.notValidAfter } }

    /// A server TLS configuration presenting the current pair at every handshake.
    public var tlsConfiguration: TLSConfiguration {
        let pair = state.withLock { $0.pair }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: pair.chain.map { .certificate($0) }, privateKey: .privateKey(pair.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [weak self] _, promise in
            promise.succeed(self?.override ?? .noChanges)
        }
        return configuration
    }

    /// The pair to use for one handshake, when it is not the one the context was made with.
    private var override: NIOSSLContextConfigurationOverride {
        state.withLock { state in
            guard state.generation > 0 else { return .noChanges }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = state.pair.chain.map { .certificate($0) }
            override.privateKey = .privateKey(state.pair.key)
            return override
        }
    }

    /// Reads the files again if they changed since the last look (see the type's comment).
    public func reloadIfChanged(now: Date = Date()) -> Reload {
        let stamp = FileStamp(certificateFile, keyFile)
        guard stamp != state.withLock({ $0.stamp }) else { return .unchanged }
        do {
            let pair = try CertificatePair.load(certificateFile: certificateFile, keyFile: keyFile, now: now)
            state.withLock { state in
                state = State(pair: pair, generation: state.generation + 1, stamp: stamp)
            }
            return .reloaded(notValidAfter: pair.notValidAfter)
        } catch {
            // Remembered, so that one bad replacement is reported once, not at every look; the
            // next change of either file is looked at again.
            state.withLock { $0.stamp = stamp }
            return .rejected(error.message)
        }
    }
}
