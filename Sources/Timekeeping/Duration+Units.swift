/// A `Duration` in the units the rest of the code speaks: seconds as a fraction for rates and
/// messages, whole milliseconds for Connect's `Connect-Timeout-Ms` and logs, whole microseconds for
/// the stores' timestamps and SQL intervals, whole nanoseconds for NIO's `TimeAmount`. The whole
/// units drop what is below them.
extension Duration {
    /// In seconds, fractions kept: `2.5` for two and a half seconds.
    public var timeInterval: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole milliseconds.
    public var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// Whole microseconds.
    public var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }

    /// Whole nanoseconds.
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
