import Testing
@testable import ShellKit

/// The language, read as the user wrote it.
@Suite(.timeLimit(.minutes(5))) struct ParserTests {
    func words(_ text: String) throws -> [[String]] {
        try Parser(file: "t.tcly").parse(text).map { command in
            command.words.map { word in
                word.parts.map { part -> String in
                    switch part {
                    case let .text(text): text
                    case let .variable(name, _): "<\(name)>"
                    case let .field(path, _): "<\(path)>"
                    }
                }.joined()
            }
        }
    }

    @Test func wordsQuotesEscapesAndSeparators() throws {
        #expect(try words("submit a.mp4 --output mp4:h264:720p") == [["submit", "a.mp4", "--output", "mp4:h264:720p"]])
        #expect(try words("echo 'a  b' \"c $x\" d\\ e") == [["echo", "a  b", "c <x>", "d e"]])
        #expect(try words("set a 1; echo $a ${a}b") == [["set", "a", "1"], ["echo", "<a>", "<a>b"]])
        #expect(try words("echo 'no $expansion here'") == [["echo", "no $expansion here"]])
        #expect(try words("echo \"q: \\\" d: \\$\"") == [["echo", "q: \" d: $"]])
        #expect(try words("# a comment\necho a # trailing\n\n") == [["echo", "a"]])
        #expect(try words("echo a#b") == [["echo", "a#b"]])
        #expect(try words("batch a.mp4 \\\n  --concurrency 4") == [["batch", "a.mp4", "--concurrency", "4"]])
        #expect(try words("echo ab\\\ncd") == [["echo", "abcd"]])
        #expect(try words("echo ''") == [["echo", ""]])
    }

    @Test func hereDocumentsGiveTheirCommandTheLinesThatFollow() throws {
        let commands = try Parser(file: "t.tcly").parse("put <<END; echo x\n  a 'b' $c # d\n\nEND\necho after\nput <<'E-1'\nE-1")
        #expect(commands.map { $0.words.count } == [1, 2, 2, 1])
        #expect(commands[0].input == CommandInput(text: "  a 'b' $c # d\n", location: SourceLocation(file: "t.tcly", line: 2, column: 1)))
        #expect(commands[1].input == nil && commands[2].input == nil)
        #expect(commands[2].location.line == 5, "lines after the body keep their numbers")
        #expect(commands[3].input?.text == "" && commands[3].input?.lines.isEmpty == true)
        #expect(commands[0].input?.lines.map(\.location.line) == [2, 3])
        // Inside quotes or a word, << is text.
        #expect(try words("echo '<<x' a<<b") == [["echo", "<<x", "a<<b"]])
        #expect(throws: Parser.Failure.incomplete("here-document <<END is not closed: end it with a line holding only END",
                                                  SourceLocation(file: "t.tcly", line: 1, column: 5))) {
            try Parser(file: "t.tcly").parse("put <<END\nline")
        }
        #expect(throws: Parser.Failure.self) { try Parser(file: "t.tcly").parse("put <<\nx") }
        #expect(throws: Parser.Failure.self) { try Parser(file: "t.tcly").parse("put <<A <<B\nA\nB") }
    }

    @Test func incompleteInputAsksForMore() {
        #expect(throws: Parser.Failure.incomplete("unclosed single quote", SourceLocation(file: "t.tcly", line: 1, column: 6))) {
            try Parser(file: "t.tcly").parse("echo 'abc")
        }
        #expect(throws: Parser.Failure.incomplete("a trailing \\ continues the command on the next line",
                                                  SourceLocation(file: "t.tcly", line: 1, column: 7))) {
            try Parser(file: "t.tcly").parse("echo a\\")
        }
    }

    @Test func syntaxErrorsNameTheirPlace() {
        #expect(throws: Parser.Failure.syntax("$ must be followed by a variable name; write \\$ for a dollar sign",
                                              SourceLocation(file: "t.tcly", line: 2, column: 8), sourceLine: "echo a $ b")) {
            try Parser(file: "t.tcly").parse("echo ok\necho a $ b")
        }
        #expect(throws: Parser.Failure.syntax("${ is not closed by }", SourceLocation(file: "t.tcly", line: 1, column: 6),
                                              sourceLine: "echo ${abc")) {
            try Parser(file: "t.tcly").parse("echo ${abc")
        }
    }

    @Test func locationsPointAtEachCommandAndWord() throws {
        let commands = try Parser(file: "s.tcly").parse("set a 1\n  echo   $a; echo b")
        #expect(commands.map(\.location) == [SourceLocation(file: "s.tcly", line: 1, column: 1),
                                             SourceLocation(file: "s.tcly", line: 2, column: 3),
                                             SourceLocation(file: "s.tcly", line: 2, column: 14)])
        #expect(commands[1].words[1].location.column == 10)
    }
}
