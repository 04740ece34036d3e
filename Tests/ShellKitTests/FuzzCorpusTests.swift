import Foundation
import ShellKit
import Testing

/// Every input the parser fuzzer kept (Fuzz/Corpus/parser, and any crash added there) parses or is
/// refused with a located error — on every `swift test`, not only when fuzzing.
@Suite(.timeLimit(.minutes(5))) struct FuzzCorpusTests {
    static func corpus(_ name: String, file: String = #filePath) -> [URL] {
        var root = URL(fileURLWithPath: file)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Fuzz/Corpus").path) {
            root.deleteLastPathComponent()
        }
        let folder = root.appendingPathComponent("Fuzz/Corpus/\(name)")
        return ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []).sorted { $0.path < $1.path }
    }

    @Test func theParserCorpusParsesOrIsRefusedWithALocation() throws {
        let files = Self.corpus("parser")
        #expect(files.count >= 4)
        for file in files {
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            do {
                _ = try Parser(file: file.lastPathComponent).parse(text)
            } catch let .incomplete(message, location) {
                #expect(!message.isEmpty && location.line >= 1, "\(file.lastPathComponent)")
            } catch let .syntax(message, location, _) {
                #expect(!message.isEmpty && location.line >= 1, "\(file.lastPathComponent)")
            }
        }
    }
}
