extension TimeSource {
    /// A point on a `TimeSource`: how long after the source's origin it lies. Only instants of the
    /// same source compare meaningfully.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Time since the source's origin (the process start for `.system`, creation for a test clock).
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }

        public func duration(to other: Instant) -> Duration { other.offset - offset }

        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }

        public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }

        public static func - (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: .zero - rhs) }

        public static func - (lhs: Instant, rhs: Instant) -> Duration { rhs.duration(to: lhs) }

        public var description: String { "+\(offset)" }
    }
}
