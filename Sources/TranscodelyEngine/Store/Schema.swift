import GRDB

/// The store's schema, one migration per version. A version, once released, is never edited:
/// a change is a new migration appended here.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: orgs, apps, keys, jobs", migrate: v1)
        migrator.registerMigration("v2: webhooks and their outbox", migrate: v2)
        migrator.registerMigration("v3: failure details and attempt logs", migrate: v3)
        migrator.registerMigration("v4: webhook give-ups in a row and delivery end times", migrate: v4)
        return migrator
    }
}
