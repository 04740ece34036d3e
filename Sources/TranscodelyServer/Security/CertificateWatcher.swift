import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Picks up a renewed certificate without a restart: looks at the certificate and key files every
/// `interval` (and at once on `SIGHUP` when `reloadOnHangup` is set, as `tcly serve` does), and
/// logs what it found — a reload at notice level, a rejected replacement as an error naming why
/// (the previous pair is still served).
struct CertificateWatcher: Service {
    let certificate: ReloadableCertificate
    let interval: Duration
    let reloadOnHangup: Bool
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if Task.isCancelled { break }
                        look()
                    }
                }
                if reloadOnHangup {
                    group.addTask {
                        for await _ in await UnixSignalsSequence(trapping: .sighup) { look() }
                    }
                }
                await group.waitForAll()
            }
        }
    }

    private func look() {
        switch certificate.reloadIfChanged() {
        case .unchanged: break
        case let .reloaded(until):
            logger.notice("reloaded the TLS certificate from \(certificate.certificateFile) (valid until \(CertificatePair.format(until)))")
        case let .rejected(why):
            logger.error("kept serving the previous TLS certificate: \(why)")
        }
    }
}
