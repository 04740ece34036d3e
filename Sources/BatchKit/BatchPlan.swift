import Foundation

/// A batch's schedule before anything is sent (`batch --dry-run`): how the pacer will launch N
/// creates at a rate, a burst and a concurrency, and when it will be done.
public struct BatchPlan: Sendable, Hashable {
    public var items: Int
    public var settings: Pacer.Settings
    /// The expected time of one create (round trip), which bounds throughput through concurrency.
    public var latency: Duration
    /// Where the rate comes from, when known (shown first).
    public var source: Pacer.Source?

    public init(items: Int, settings: Pacer.Settings, latency: Duration = .milliseconds(20), source: Pacer.Source? = nil) {
        self.items = items
        self.settings = settings
        self.latency = latency
        self.source = source
    }

    /// Creates sent at once at the start (the burst the pacer allows itself).
    public var burst: Int {
        min(items, max(1, Int(Double(settings.burst) * Pacer.burstMargin)))
    }

    /// Creates per second after the burst: the rate, or what concurrency allows at that latency.
    public var sustainedRate: Double {
        let byConcurrency = Double(settings.concurrency) / max(latency / .seconds(1), 1e-6)
        return min(settings.rate * Pacer.rateMargin, byConcurrency)
    }

    /// When the last create is sent and answered.
    public var estimatedDuration: Duration {
        let after = Double(items - burst) / sustainedRate
        let burstTime = Double(burst) / (Double(settings.concurrency) / max(latency / .seconds(1), 1e-6))
        return .seconds(max(after, burstTime)) + latency
    }

    /// The schedule in a few lines: what happens when.
    public var schedule: [String] {
        var lines: [String] = []
        if let source {
            lines.append("pacing at \(Pacer.Source.number(settings.rate))/s, burst \(settings.burst): \(source)")
        }
        lines.append("\(items) creates, at most \(settings.concurrency) in flight")
        lines.append("t=0s: \(burst) at once (burst \(settings.burst), kept at \(Int(Pacer.burstMargin * 100))%)")
        if items > burst {
            lines.append(String(format: "then %.0f/s (rate %.0f/s, kept at %.0f%%) for %d more", sustainedRate,
                                settings.rate, Pacer.rateMargin * 100, items - burst))
        }
        lines.append(String(format: "done in about %.1f s", estimatedDuration / .seconds(1)))
        return lines
    }
}
