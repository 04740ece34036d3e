/// Polls `condition` every `interval` until it holds or `limit` passes; false when it never held.
/// For what real work elsewhere makes true (an encode ending, a lock going, a command going to
/// sleep on a test clock).
public func eventually(within limit: Duration = .seconds(30), every interval: Duration = .milliseconds(5),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
