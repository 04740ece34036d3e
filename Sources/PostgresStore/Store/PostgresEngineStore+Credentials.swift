import Foundation
import PostgresNIO
import Synchronization
import Timekeeping
import TranscodelyAPI
import TranscodelyEngine

extension PostgresEngineStore {
    /// Adds an app (creating its organization when new) owning `key`, or a new random key.
    /// Two nodes adding the same app at once: the loser meets the unique constraint and is told
    /// `alreadyExists`, like a lookup would have told it.
    public func createApp(orgID: String, name: String, tier: Tier, key: String?) async throws -> (AppRecord, String) {
        let key = try NewApp(orgID: orgID, name: name, key: key).key
        let now = clock.timestamp.microseconds
        let appID = IDGenerator.make("app_", length: 16)
        let hash = KeyDigest.hash(key), hint = KeyDigest.hint(key)
        do {
            try await transaction { connection in
                let named = try await connection.query("SELECT 1 FROM apps WHERE org_id = \(orgID) AND name = \(name)",
                                                       logger: self.logger).collect()
                if !named.isEmpty {
                    throw ConnectError(.alreadyExists, "organization \(orgID) already has an app named \(name)")
                }
                let owned = try await connection.query("SELECT 1 FROM api_keys WHERE hash = \(hash)", logger: self.logger).collect()
                if !owned.isEmpty {
                    throw ConnectError(.alreadyExists, "that API key already belongs to an app; choose another or omit --key")
                }
                try await connection.query("""
                    INSERT INTO orgs (id, name, created_at) VALUES (\(orgID), \(orgID), \(now)) ON CONFLICT (id) DO NOTHING
                    """, logger: self.logger)
                try await connection.query("""
                    INSERT INTO apps (id, org_id, name, tier, created_at) VALUES (\(appID), \(orgID), \(name), \(tier.rawValue), \(now))
                    """, logger: self.logger)
                try await connection.query("""
                    INSERT INTO api_keys (hash, app_id, hint, created_at) VALUES (\(hash), \(appID), \(hint), \(now))
                    """, logger: self.logger)
            }
        } catch let error as StoreError where error.reason == "SQLSTATE 23505" {
            throw ConnectError(.alreadyExists, "organization \(orgID) already has an app named \(name), or that key belongs to an app")
        }
        return (AppRecord(id: appID, orgID: orgID, name: name, tier: tier, keyHints: [hint]), key)
    }

    /// Every app with its live key hints, by organization then name.
    public func apps() async throws -> [AppRecord] {
        let rows = try await query("""
            SELECT a.id, a.org_id, a.name, a.tier, k.hint FROM apps a
            LEFT JOIN api_keys k ON k.app_id = a.id AND k.revoked_at IS NULL
            ORDER BY a.org_id, a.name, k.created_at
            """)
        var apps: [AppRecord] = []
        for row in rows {
            let (id, orgID, name, tier, hint) = try row.decode((String, String, String, String, String?).self)
            if apps.last?.id != id {
                apps.append(AppRecord(id: id, orgID: orgID, name: name, tier: Tier(rawValue: tier) ?? .standard, keyHints: []))
            }
            if let hint { apps[apps.count - 1].keyHints.append(hint) }
        }
        return apps
    }

    /// Revokes the key given in full, or the one live key whose hint starts with `keyOrHint`.
    public func revokeKey(_ keyOrHint: String) async throws -> String {
        let now = clock.timestamp.microseconds
        let hash = KeyDigest.hash(keyOrHint)
        return try await transaction { connection in
            let exact = try await connection.query("""
                UPDATE api_keys SET revoked_at = \(now) WHERE hash = \(hash) AND revoked_at IS NULL RETURNING hint
                """, logger: self.logger).collect()
            if let row = exact.first { return try row.decode(String.self) }
            let prefix = keyOrHint.hasSuffix("…") ? String(keyOrHint.dropLast()) : keyOrHint
            let matches = try await connection.query("""
                SELECT hash, hint FROM api_keys WHERE revoked_at IS NULL AND substr(hint, 1, \(prefix.count)) = \(prefix) FOR UPDATE
                """, logger: self.logger).collect()
            guard prefix.count >= 6, matches.count == 1, let match = matches.first else {
                throw ConnectError.notFound(matches.count > 1
                    ? "\(matches.count) live keys start with \(prefix); give more of the key"
                    : "no live API key is or starts with that text; `tcly admin app list` shows key hints")
            }
            let (matched, hint) = try match.decode((Data, String).self)
            try await connection.query("UPDATE api_keys SET revoked_at = \(now) WHERE hash = \(matched)", logger: self.logger)
            return hint
        }
    }

    /// The app a live key speaks for, or nil; looked up by hash, then compared in constant time.
    public func identity(forKey key: String) async throws -> AppIdentity? {
        let hash = KeyDigest.hash(key)
        let rows = try await query("""
            SELECT k.hash, a.id, a.org_id, a.tier FROM api_keys k JOIN apps a ON a.id = k.app_id
            WHERE k.hash = \(hash) AND k.revoked_at IS NULL
            """)
        guard let row = rows.first else { return nil }
        let (stored, appID, orgID, tier) = try row.decode((Data, String, String, String).self)
        guard ConstantTime.equal(stored, hash) else { return nil }
        return AppIdentity(appID: appID, orgID: orgID, tier: Tier(rawValue: tier) ?? .standard)
    }

    /// A fresh key for app `appName` of `orgID` (both created when new), revoking its earlier keys.
    public func issueKey(orgID: String, appName: String, tier: Tier) async throws -> String {
        let key = IDGenerator.apiKey()
        let now = clock.timestamp.microseconds
        let appID = IDGenerator.make("app_", length: 16)
        let hash = KeyDigest.hash(key), hint = KeyDigest.hint(key)
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO orgs (id, name, created_at) VALUES (\(orgID), \(orgID), \(now)) ON CONFLICT (id) DO NOTHING
                """, logger: self.logger)
            try await connection.query("""
                INSERT INTO apps (id, org_id, name, tier, created_at) VALUES (\(appID), \(orgID), \(appName), \(tier.rawValue), \(now))
                ON CONFLICT (org_id, name) DO NOTHING
                """, logger: self.logger)
            let id = try await connection.query("SELECT id FROM apps WHERE org_id = \(orgID) AND name = \(appName) FOR UPDATE",
                                                logger: self.logger).collect()[0].decode(String.self)
            try await connection.query("UPDATE api_keys SET revoked_at = \(now) WHERE app_id = \(id) AND revoked_at IS NULL",
                                       logger: self.logger)
            try await connection.query("""
                INSERT INTO api_keys (hash, app_id, hint, created_at) VALUES (\(hash), \(id), \(hint), \(now))
                """, logger: self.logger)
        }
        return key
    }

    /// Whether any app exists (a store with none is bootstrapped on first start).
    public func hasApps() async throws -> Bool {
        try await query("SELECT EXISTS (SELECT 1 FROM apps)")[0].decode(Bool.self)
    }
}
