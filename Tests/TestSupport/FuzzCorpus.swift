import Foundation

/// The inputs the fuzzers kept (Fuzz/Corpus/NAME): replayed by the FuzzCorpusTests of the modules
/// they fuzz, on every `swift test`.
public enum FuzzCorpus {
    public static func files(_ name: String, file: String = #filePath) -> [URL] {
        var root = URL(fileURLWithPath: file)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Fuzz/Corpus").path) {
            root.deleteLastPathComponent()
        }
        let folder = root.appendingPathComponent("Fuzz/Corpus/\(name)")
        return ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []).sorted { $0.path < $1.path }
    }
}
