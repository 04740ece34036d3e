import Testing
import TranscodelyAPI
@testable import TranscodelyEngine

@Suite(.timeLimit(.minutes(5))) struct SimulatedEncoderTests {
    @Test func specParsesAndRejectsWithTheReason() throws {
        let spec = try SimulatedEncoder.Spec(parsing: "probe=0.5,encode=5,fail=0.1")
        #expect(spec.probeSeconds == 0.5 && spec.encodeSeconds == 5 && spec.failFraction == 0.1)
        #expect(throws: ConnectError.invalidArgument("--simulate: unknown setting \"speed\"; expected probe, encode or fail")) {
            try SimulatedEncoder.Spec(parsing: "speed=2")
        }
        #expect(throws: ConnectError.invalidArgument("--simulate: fail is a fraction from 0 to 1, got 2.0")) {
            try SimulatedEncoder.Spec(parsing: "fail=2")
        }
        #expect(throws: ConnectError.self) { try SimulatedEncoder.Spec(parsing: "probe=-1") }
        #expect(throws: ConnectError.self) { try SimulatedEncoder.Spec(parsing: "probe") }
    }

    @Test func failuresAreAStableFractionByPath() {
        let paths = (0..<10_000).map { "uploads/episode-\($0).mp4" }
        let failing = paths.filter { SimulatedEncoder.fails(path: $0, fraction: 0.1) }
        #expect((800...1200).contains(failing.count))
        // Stable: the same paths fail on every run, and a larger fraction keeps the smaller one's failures.
        #expect(failing == paths.filter { SimulatedEncoder.fails(path: $0, fraction: 0.1) })
        #expect(failing.allSatisfy { SimulatedEncoder.fails(path: $0, fraction: 0.5) })
        #expect(!paths.contains { SimulatedEncoder.fails(path: $0, fraction: 0) })
    }
}
