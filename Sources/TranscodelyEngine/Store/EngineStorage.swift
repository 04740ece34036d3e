/// Everything an engine keeps: jobs, credentials and the webhook outbox, in one store (the SQLite
/// `EngineStore` by default; see `StoreOpener`). Users that need one part hold that part alone
/// (`any JobStore` for the scheduler, `any WebhookOutbox` for the dispatcher).
public typealias EngineStorage = JobStore & CredentialStore & WebhookOutbox
