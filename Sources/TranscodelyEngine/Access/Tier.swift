/// An app's rate-limit tier (API.md): how many requests per second it may make, and how many at once
/// after a pause.
public enum Tier: String, Sendable, Hashable, CaseIterable, Codable {
    case standard, premium
    /// No limit: for benchmarks and administration.
    case unlimited

    /// Requests per second; nil when unlimited.
    public var rate: Double? {
        switch self {
        case .standard: 100
        case .premium: 500
        case .unlimited: nil
        }
    }

    /// How many requests may arrive at once after an idle period.
    public var burst: Int {
        switch self {
        case .standard: 200
        case .premium: 1000
        case .unlimited: .max
        }
    }
}
