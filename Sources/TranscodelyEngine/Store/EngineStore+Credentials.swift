import Foundation
import GRDB
import Timekeeping
import TranscodelyAPI

extension EngineStore {
    /// Adds an app (creating its organization when new) owning `key`, or a new random key.
    /// Returns the app and the key in clear: the only time it is ever shown.
    public func createApp(orgID: String, name: String, tier: Tier, key: String? = nil) async throws -> (AppRecord, String) {
        let key = try NewApp(orgID: orgID, name: name, key: key).key
        let now = clock.timestamp.microseconds
        let appID = IDGenerator.make("app_", length: 16)
        try await durableWrite { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM apps WHERE org_id = ? AND name = ?", arguments: [orgID, name]) != nil {
                throw ConnectError(.alreadyExists, "organization \(orgID) already has an app named \(name)")
            }
            if try Row.fetchOne(db, sql: "SELECT 1 FROM api_keys WHERE hash = ?", arguments: [KeyDigest.hash(key)]) != nil {
                throw ConnectError(.alreadyExists, "that API key already belongs to an app; choose another or omit --key")
            }
            try db.execute(sql: "INSERT OR IGNORE INTO orgs (id, name, created_at) VALUES (?, ?, ?)",
                           arguments: [orgID, orgID, now])
            try db.execute(sql: "INSERT INTO apps (id, org_id, name, tier, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [appID, orgID, name, tier.rawValue, now])
            try db.execute(sql: "INSERT INTO api_keys (hash, app_id, hint, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [KeyDigest.hash(key), appID, KeyDigest.hint(key), now])
        }
        return (AppRecord(id: appID, orgID: orgID, name: name, tier: tier, keyHints: [KeyDigest.hint(key)]), key)
    }

    /// Every app with its live key hints, by organization then name.
    public func apps() async throws -> [AppRecord] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.id, a.org_id, a.name, a.tier, k.hint FROM apps a
                LEFT JOIN api_keys k ON k.app_id = a.id AND k.revoked_at IS NULL
                ORDER BY a.org_id, a.name, k.created_at
                """)
            var apps: [AppRecord] = []
            for row in rows {
                let id: String = row["id"]
                if apps.last?.id != id {
                    apps.append(AppRecord(id: id, orgID: row["org_id"], name: row["name"],
                                          tier: Tier(rawValue: row["tier"]) ?? .standard, keyHints: []))
                }
                if let hint: String = row["hint"] { apps[apps.count - 1].keyHints.append(hint) }
            }
            return apps
        }
    }

    /// Revokes the key given in full, or the one key whose hint starts with `keyOrHint`.
    /// Returns the hint of the revoked key.
    public func revokeKey(_ keyOrHint: String) async throws -> String {
        let now = clock.timestamp.microseconds
        return try await durableWrite { db in
            if let hint = try String.fetchOne(db, sql: "SELECT hint FROM api_keys WHERE hash = ? AND revoked_at IS NULL",
                                              arguments: [KeyDigest.hash(keyOrHint)]) {
                try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE hash = ?", arguments: [now, KeyDigest.hash(keyOrHint)])
                return hint
            }
            let prefix = keyOrHint.hasSuffix("…") ? String(keyOrHint.dropLast()) : keyOrHint
            let matches = try Row.fetchAll(db, sql: "SELECT hash, hint FROM api_keys WHERE revoked_at IS NULL AND substr(hint, 1, ?) = ?",
                                           arguments: [prefix.count, prefix])
            guard prefix.count >= 6, matches.count == 1, let match = matches.first else {
                throw ConnectError.notFound(matches.count > 1
                    ? "\(matches.count) live keys start with \(prefix); give more of the key"
                    : "no live API key is or starts with that text; `tcly admin app list` shows key hints")
            }
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE hash = ?", arguments: [now, match["hash"] as Data])
            return match["hint"]
        }
    }

    /// The app a key speaks for, or nil when the key is unknown or revoked. The lookup is by hash;
    /// the stored hash is then compared in constant time.
    public func identity(forKey key: String) async throws -> AppIdentity? {
        let hash = KeyDigest.hash(key)
        return try await read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT k.hash, a.id, a.org_id, a.tier FROM api_keys k JOIN apps a ON a.id = k.app_id
                WHERE k.hash = ? AND k.revoked_at IS NULL
                """, arguments: [hash]), ConstantTime.equal(row["hash"] as Data, hash) else { return nil }
            return AppIdentity(appID: row["id"], orgID: row["org_id"], tier: Tier(rawValue: row["tier"]) ?? .standard)
        }
    }

    /// A fresh key for an app of this engine's own (the shell's embedded engine), creating the app
    /// and its organization when new. Earlier keys of the app are revoked: each session holds
    /// exactly one, and one left by a crashed session stops working.
    public func issueKey(orgID: String, appName: String, tier: Tier) async throws -> String {
        let key = IDGenerator.apiKey()
        let now = clock.timestamp.microseconds
        let appID = IDGenerator.make("app_", length: 16)
        try await durableWrite { db in
            try db.execute(sql: "INSERT OR IGNORE INTO orgs (id, name, created_at) VALUES (?, ?, ?)", arguments: [orgID, orgID, now])
            try db.execute(sql: "INSERT OR IGNORE INTO apps (id, org_id, name, tier, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [appID, orgID, appName, tier.rawValue, now])
            let id = try String.fetchOne(db, sql: "SELECT id FROM apps WHERE org_id = ? AND name = ?", arguments: [orgID, appName])!
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE app_id = ? AND revoked_at IS NULL", arguments: [now, id])
            try db.execute(sql: "INSERT INTO api_keys (hash, app_id, hint, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [KeyDigest.hash(key), id, KeyDigest.hint(key), now])
        }
        return key
    }

    /// Whether any app exists (a store with none is bootstrapped on first start).
    public func hasApps() async throws -> Bool {
        try await read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM apps)") ?? false }
    }
}
