import ArgumentParser
import TranscodelyAPI

/// `--priority economy|standard|premium` read by swift-argument-parser: a wrong value is refused
/// with the values it takes, as every parser error is.
extension Priority: ExpressibleByArgument {
    public init?(argument: String) { self.init(wire: argument) }
}
