/// A span of time as a user types it — `90` or `90s`, `500ms`, `5m`, `2h`, `1d`, fractions allowed
/// (`1.5h`), as timeout(1) reads its duration — and as the shell prints one back.
enum DurationText {
    /// The duration `text` says; nil when it says none (or a negative one).
    static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        let unit = units.first { text.hasSuffix($0.suffix) && Double(text.dropLast($0.suffix.count)) != nil }
        let number = unit.map { String(text.dropLast($0.suffix.count)) } ?? text
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number), value.isFinite,
              value * (unit?.seconds ?? 1) <= 1e9 else { return nil }
        return .milliseconds(Int64((value * (unit?.seconds ?? 1) * 1000).rounded()))
    }

    /// `90s`, `1.5s`, `5m`, `2h30m`: short, for a summary line.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration / .milliseconds(1)
        if milliseconds < 60_000 {
            let tenths = (milliseconds / 100).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
        }
        let total = Int(milliseconds / 1000)
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        if hours > 0 { return "\(hours)h" + (minutes > 0 ? "\(minutes)m" : "") }
        return "\(minutes)m" + (seconds > 0 ? "\(seconds)s" : "")
    }
}
