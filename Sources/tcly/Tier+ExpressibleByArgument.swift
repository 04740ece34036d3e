import ArgumentParser
import TranscodelyEngine

/// `--tier standard|premium|unlimited`.
extension Tier: ExpressibleByArgument {}
