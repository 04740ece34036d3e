import Foundation
import ShellKit
import Testing
import TranscodelyTestSupport

/// Every input the parser fuzzer kept (Fuzz/Corpus/parser, and any crash added there) parses or is
/// refused with a located error — on every `swift test`, not only when fuzzing.
@Suite(.timeLimit(.minutes(5))) struct FuzzCorpusTests {
    @Test func theParserCorpusParsesOrIsRefusedWithALocation() throws {
        let files = FuzzCorpus.files("parser")
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
