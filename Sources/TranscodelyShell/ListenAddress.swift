import ShellKit

/// `[HOST:]PORT` of `listen` and `watch --webhook`: the host defaults to 127.0.0.1.
enum ListenAddress {
    static func parse(_ text: String, command: String) throws(ShellError) -> (host: String, port: Int) {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else {
            throw ShellError("\(command): \"\(text)\" is not [HOST:]PORT (as 8089 or 127.0.0.1:8089)", status: 2)
        }
        return (host, port)
    }
}
