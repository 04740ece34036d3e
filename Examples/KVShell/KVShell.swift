import ShellKit

/// The host: its commands as data, its prompt, its secrets, its hint.
enum KVShell {
    static let commands: [any ShellCommand<KVStore>.Type] = [Put.self, Get.self, Del.self, Keys.self]
    static let profile = ShellProfile(prompt: "kv> ", redaction: HistoryRedaction(patterns: [#"password=\S+"#]),
                                      longLineHint: "give a long value as a here-document: put KEY <<END")

    static func shell(output: ShellOutput = .standard) -> Shell<KVStore> {
        Shell(registry: CommandRegistry(commands), output: output, host: KVStore(), profile: profile)
    }
}
