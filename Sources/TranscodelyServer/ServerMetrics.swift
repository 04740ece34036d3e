import CoreMetrics
import Prometheus
import Synchronization
import TranscodelyAPI
import TranscodelyEngine

/// The server's metrics, exposed at `GET /metrics` in Prometheus text: requests by method and code,
/// jobs by status (read from the store at scrape time) and requests refused by the rate limiter.
/// Each server has its own registry, so several can run in one process (tests, embedded mode).
final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let requests = Mutex<[String: CoreMetrics.Counter]>([:])
    private let rateLimited: CoreMetrics.Counter

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
        rateLimited = CoreMetrics.Counter(label: "tcly_rate_limited_total", factory: factory)
    }

    /// Counts one answered request.
    func request(method: String, code: String) {
        let key = method + " " + code
        let counter = requests.withLock { table in
            if let counter = table[key] { return counter }
            let counter = CoreMetrics.Counter(label: "tcly_requests_total",
                                              dimensions: [("method", method), ("code", code)], factory: factory)
            table[key] = counter
            return counter
        }
        counter.increment()
        if code == ConnectError.Code.resourceExhausted.rawValue { rateLimited.increment() }
    }

    /// The exposition text, with job counts fresh from the store.
    func render(jobs: any JobStore) async throws -> String {
        let counts = try await jobs.countsByStatus()
        for status in JobStatus.allCases {
            CoreMetrics.Gauge(label: "tcly_jobs", dimensions: [("status", status.rawValue)], factory: factory)
                .record(counts[status] ?? 0)
        }
        return registry.emitToString()
    }
}
