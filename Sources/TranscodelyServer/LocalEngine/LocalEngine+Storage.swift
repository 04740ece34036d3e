import Foundation
import TranscodelyEngine

extension LocalEngine {
    /// Where the engine's data lives. One kind today (SQLite and the local origins in a folder);
    /// a store URL (a shared database) is meant to become a second case.
    public enum Storage: Sendable, Hashable {
        /// `engine.sqlite` and the local origins' folders under this directory.
        case directory(URL)

        /// The directory holding the local origins (and, for `.directory`, the store).
        public var dataDirectory: URL {
            switch self {
            case let .directory(url): url
            }
        }

        /// How the engine opens its store (`Engine.Configuration.store`): for `.directory`,
        /// `engine.sqlite` in it.
        public var store: StoreOpener {
            switch self {
            case .directory: .sqlite
            }
        }
    }
}
