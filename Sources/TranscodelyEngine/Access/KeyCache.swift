import Foundation
import Synchronization
import Timekeeping

/// Remembers for a moment who each API key speaks for, so that a request costs no store read.
/// Entries live one second: a key revoked by `tcly admin key revoke` while the server runs stops
/// working within that second.
final class KeyCache: Sendable {
    private struct Entry {
        var identity: AppIdentity?
        var expires: TimeSource.Instant
    }

    private let entries = Mutex<[Data: Entry]>([:])
    private let lifetime: Duration = .seconds(1)
    private let clock: TimeSource

    /// A cache whose entries age on `clock`.
    init(clock: TimeSource) { self.clock = clock }

    /// The cached answer for a key hash: `.some(nil)` means "known not to be valid".
    func lookup(_ hash: Data) -> AppIdentity?? {
        let now = clock.now
        return entries.withLock { table -> AppIdentity?? in
            guard let entry = table[hash], entry.expires > now else { return .none }
            return .some(entry.identity)
        }
    }

    func remember(_ hash: Data, _ identity: AppIdentity?) {
        let expires = clock.now + lifetime
        entries.withLock { table in
            if table.count > 10_000 { table.removeAll(keepingCapacity: true) }
            table[hash] = Entry(identity: identity, expires: expires)
        }
    }
}
