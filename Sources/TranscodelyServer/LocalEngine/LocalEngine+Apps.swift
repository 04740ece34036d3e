import TranscodelyAPI
import TranscodelyEngine

extension LocalEngine {
    /// Which apps a starting engine makes sure of, and so which key this process can hand to a client.
    public enum Apps: Sendable {
        /// `tcly serve`: on a store with no app yet, create app `default` — in the organization of
        /// `adopting` owning its key, or in `org_local` with a new key. A store with apps is left
        /// alone (it keeps key hashes only, so no key is known then).
        case firstStart(adopting: Credentials?)
        /// The embedded shell: give app `appName` of `organizationID` a new key on every start
        /// (revoking the last one), known only to this process.
        case issue(organizationID: String, appName: String)
        /// Tests: these apps owning these keys, created on a fresh store.
        case fixed([FixedApp])
    }

    /// Makes sure of the apps `configuration.apps` asks for; returns the credentials this process
    /// knows and what a first start created.
    static func prepareApps(_ apps: Apps, tier: Tier, store: any CredentialStore) async throws -> (Credentials?, CreatedApp?) {
        switch apps {
        case let .firstStart(adopting):
            guard try await !store.hasApps() else { return (nil, nil) }
            do {
                return try await firstApp(adopting: adopting, tier: tier, store: store)
            } catch let error as ConnectError where error.code == .alreadyExists {
                // Another node of a shared store created it first, between our look and our create.
                guard try await store.hasApps() else { throw error }
                return (nil, nil)
            }
        case let .issue(organizationID, appName):
            let key = try await store.issueKey(orgID: organizationID, appName: appName, tier: tier)
            return (Credentials(organizationID: organizationID, apiKey: key), nil)
        case let .fixed(apps):
            for app in apps {
                _ = try await store.createApp(orgID: app.organizationID, name: app.name, tier: tier, key: app.key)
            }
            return (apps.first.map { Credentials(organizationID: $0.organizationID, apiKey: $0.key) }, nil)
        }
    }

    /// App `default` of a store that has none: adopting the given key, or with a new one.
    private static func firstApp(adopting: Credentials?, tier: Tier, store: any CredentialStore) async throws -> (Credentials?, CreatedApp?) {
        if let adopting {
            let (app, _) = try await store.createApp(orgID: adopting.organizationID, name: "default", tier: tier, key: adopting.apiKey)
            return (adopting, CreatedApp(organizationID: adopting.organizationID, appName: app.name, tier: tier, adopted: true))
        }
        let (app, key) = try await store.createApp(orgID: "org_local", name: "default", tier: tier)
        return (Credentials(organizationID: "org_local", apiKey: key),
                CreatedApp(organizationID: "org_local", appName: app.name, tier: tier, adopted: false, generatedKey: key))
    }
}
