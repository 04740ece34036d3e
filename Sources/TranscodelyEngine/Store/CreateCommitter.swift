import TranscodelyAPI

/// Group commit for creates: creates that arrive while a commit is on its way wait for the next one
/// and go in together, so that a durable (fsynced) create costs a fraction of a commit under load
/// and exactly one commit when alone. Nobody is acknowledged before their commit is on disk.
actor CreateCommitter {
    private let store: any JobStore
    private var waiting: [(NewJob, CheckedContinuation<CreateOutcome, any Error>)] = []
    private var flushing = false
    /// The most creates in one transaction.
    private let maxBatch = 512

    init(store: any JobStore) { self.store = store }

    func submit(_ job: NewJob) async throws -> CreateOutcome {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((job, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maxBatch))
            waiting.removeFirst(batch.count)
            do {
                let outcomes = try await store.insert(batch.map(\.0))
                for (entry, outcome) in zip(batch, outcomes) { entry.1.resume(returning: outcome) }
            } catch {
                for entry in batch { entry.1.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
