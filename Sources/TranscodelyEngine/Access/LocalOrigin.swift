import Foundation
import TranscodelyAPI

/// A folder of this machine that jobs read inputs from or write outputs to.
public struct LocalOrigin: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The folder, symlinks resolved.
    public var root: URL

    public init(id: String, name: String, root: URL) {
        self.id = id
        self.name = name
        self.root = root
    }

    /// The wire form.
    public var origin: Origin { Origin(id: id, name: name, kind: "local", path: root.path) }
}
