/// Runs `body` with `resource`, then always awaits `stop(resource)` — when `body` returns and when
/// it throws — before returning: how every fixture's `with` makes sure no server outlives its test.
public func scoped<Resource, Result>(_ resource: Resource, stop: (Resource) async -> Void,
                                     _ body: (Resource) async throws -> Result) async throws -> Result {
    let result: Result
    do { result = try await body(resource) } catch {
        await stop(resource)
        throw error
    }
    await stop(resource)
    return result
}
