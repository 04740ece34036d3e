import ArgumentParser
import ShellKit

/// `put KEY VALUE`, or `put KEY <<END` with the value in a here-document.
struct Put: ShellCommand {
    static let about = CommandAbout(name: "put", group: "Store", summary: "store a value", example: "put greeting hello")
    @Argument var key: String
    @Argument var value: String?

    func run(in shell: Shell<KVStore>) async throws {
        guard let value = value ?? CommandInput.current?.text else {
            throw ShellError("put: no value for \(key); give one: put \(key) VALUE, or put \(key) <<END", status: 2)
        }
        await shell.host.put(key, value)
    }
}

/// `get KEY`: prints the value.
struct Get: ShellCommand {
    static let about = CommandAbout(name: "get", group: "Store", summary: "print a value", example: "get greeting")
    @Argument var key: String

    func run(in shell: Shell<KVStore>) async throws {
        guard let value = await shell.host.get(key) else { throw ShellError("get: no key \(key); keys lists them") }
        shell.output.line(value)
    }
}

/// `del KEY`.
struct Del: ShellCommand {
    static let about = CommandAbout(name: "del", group: "Store", summary: "delete a key", example: "del greeting")
    @Argument var key: String

    func run(in shell: Shell<KVStore>) async throws {
        guard await shell.host.delete(key) else { throw ShellError("del: no key \(key); keys lists them") }
    }
}

/// `keys`: every key, sorted.
struct Keys: ShellCommand {
    static let about = CommandAbout(name: "keys", group: "Store", summary: "list the keys", example: "keys")

    func run(in shell: Shell<KVStore>) async throws {
        for key in await shell.host.keys { shell.output.line(key) }
    }
}
