import Foundation
import Synchronization

/// Lets progress reach the store at most four times a second per job.
final class ProgressThrottle: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    func shouldWrite(_ value: Double) -> Bool {
        let now = ContinuousClock.now
        return last.withLock { last in
            if let previous = last, now - previous < .milliseconds(250) { return false }
            last = now
            return true
        }
    }
}
