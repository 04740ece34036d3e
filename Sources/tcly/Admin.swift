import ArgumentParser
import Foundation
import TranscodelyAPI
import TranscodelyEngine

/// `tcly admin`: organizations, apps and API keys of a local engine (its data directory's SQLite,
/// or the PostgreSQL database of `--store`). Works while the server runs.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the local engine's apps and API keys (works while the server runs).",
        subcommands: [AppCommand.self, KeyCommand.self]
    )

    struct AppCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "app", abstract: "Create and list apps.", subcommands: [Create.self, List.self])
    }

    struct KeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key", abstract: "Revoke API keys.", subcommands: [Revoke.self])
    }

    /// `tcly admin app create`: adds an app, creating its organization if new, and prints its key.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an app (creating the organization if new) and print its API key.")

        @OptionGroup var data: DataOption
        @OptionGroup var storeOption: StoreOption
        @Option(help: "The organization's id.") var org: String
        @Option(help: "The app's name, unique in its organization.") var name: String
        @Option(help: "standard, premium or unlimited.") var tier: Tier = .standard
        @Option(help: "Use this API key instead of generating one (at least 16 characters).") var key: String?

        func run() async throws {
            let store = await openStore(data, storeOption)
            do {
                let (app, key) = try await store.createApp(orgID: org, name: name, tier: tier, key: key)
                print("created app \(app.name) (\(app.id)) in organization \(app.orgID), tier \(app.tier.rawValue)")
                print("API key (shown once): \(key)")
            } catch { fail(describe(error)) }
        }
    }

    /// `tcly admin app list`: every app with its tier and key hints.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List apps with their tiers and key hints.")
        @OptionGroup var data: DataOption
        @OptionGroup var storeOption: StoreOption

        func run() async throws {
            let store = await openStore(data, storeOption)
            do {
                let apps = try await store.apps()
                if apps.isEmpty { print("no apps yet; tcly admin app create adds one"); return }
                let rows = [["ORG", "APP", "ID", "TIER", "KEYS"]] + apps.map {
                    [$0.orgID, $0.name, $0.id, $0.tier.rawValue, $0.keyHints.isEmpty ? "(none)" : $0.keyHints.joined(separator: " ")]
                }
                let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                        .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
                }
            } catch { fail(describe(error)) }
        }
    }

    /// `tcly admin key revoke KEY`: the key stops working within a second, even while serving.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key, given in full or by the hint that `app list` shows.")
        @OptionGroup var data: DataOption
        @OptionGroup var storeOption: StoreOption
        @Argument(help: "The key, or its hint (as tk_AbCd1234).") var key: String

        func run() async throws {
            let store = await openStore(data, storeOption)
            do {
                let hint = try await store.revokeKey(key)
                print("revoked \(hint)")
            } catch { fail(describe(error)) }
        }
    }
}
