/// Reads the shell's language: one command per line, `;` between commands, `#` comments, a
/// trailing `\` continuing the line; words split on blanks; `'single'` quotes literal, `"double"`
/// quotes expanding `$NAME`/`${NAME}`, `\` escaping one character; `<<WORD` at the start of a
/// word gives the command the lines that follow, up to one holding only `WORD`, as its input (a
/// here-document, taken literally: no expansion, no comments, no quotes). `${NAME.a[0].b}` reads
/// a field of a captured answer (see `FieldPath`).
public struct Parser {
    public let file: String
    /// What the host suggests for a line too long to read (how its users pass long lists).
    public let longLineHint: String?

    public init(file: String, longLineHint: String? = nil) {
        self.file = file
        self.longLineHint = longLineHint
    }

    /// The longest line the language takes: longer input is nearly always a mistake (a file
    /// pasted in, a runaway generator), and a clear refusal beats minutes of work on it.
    public static let maximumLineBytes = 1 << 20

    /// What went wrong reading the source.
    public enum Failure: Error, Sendable, Hashable {
        /// The input ends inside a quote or after a `\`: an interactive reader asks for more.
        case incomplete(String, SourceLocation)
        case syntax(String, SourceLocation, sourceLine: String)
    }

    /// Parses a whole text (a script, or lines typed so far) into commands.
    public func parse(_ text: String, firstLine: Int = 1) throws(Failure) -> [ParsedCommand] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let (index, line) = lines.enumerated().first(where: { $0.element.utf8.count > Self.maximumLineBytes }) {
            let hint = longLineHint.map { " (\($0))" } ?? ""
            throw .syntax("line \(firstLine + index) is \(line.utf8.count) bytes long; a line holds at most 1 MiB\(hint)",
                          SourceLocation(file: file, line: firstLine + index, column: 1), sourceLine: String(line.prefix(80)) + "…")
        }
        var commands: [ParsedCommand] = []
        var words: [Word] = []
        var current: [Word.Part] = []
        var literal = ""
        var inWord = false
        var wordStart = SourceLocation(file: file, line: firstLine, column: 1)
        var commandStart: SourceLocation?
        var commandLine = ""
        /// Here-documents opened on the current line: the command each feeds and its end word.
        var pendingInputs: [(command: Int, delimiter: String, location: SourceLocation)] = []

        func flushLiteral() {
            if !literal.isEmpty { current.append(.text(literal)); literal = "" }
        }
        func endWord() {
            flushLiteral()
            if inWord { words.append(Word(parts: current, location: wordStart)) }
            current = []
            inWord = false
        }
        func endCommand() {
            endWord()
            if !words.isEmpty, let start = commandStart {
                commands.append(ParsedCommand(words: words, location: start, sourceLine: commandLine))
            }
            words = []
            commandStart = nil
        }

        var lineIndex = 0
        var quote: Character? = nil
        var quoteStart = wordStart
        while lineIndex < lines.count {
            let line = Array(lines[lineIndex])
            let lineNumber = firstLine + lineIndex
            if commandStart == nil { commandLine = lines[lineIndex] }
            var i = 0
            var continued = false
            func here() -> SourceLocation { SourceLocation(file: file, line: lineNumber, column: i + 1) }
            func startWord() {
                if !inWord {
                    inWord = true
                    wordStart = here()
                    if commandStart == nil { commandStart = wordStart; commandLine = lines[lineIndex] }
                }
            }
            while i < line.count {
                let c = line[i]
                if let q = quote {
                    if c == q {
                        quote = nil
                        i += 1
                        continue
                    }
                    if q == "\"" {
                        if c == "\\", i + 1 < line.count, "\"\\$".contains(line[i + 1]) {
                            literal.append(line[i + 1]); i += 2; continue
                        }
                        if c == "$" {
                            let (part, next) = try variable(line, i, lineNumber, lines[lineIndex])
                            flushLiteral(); current.append(part); i = next; continue
                        }
                    }
                    literal.append(c)
                    i += 1
                    continue
                }
                switch c {
                case " ", "\t":
                    endWord()
                    i += 1
                case ";":
                    endCommand()
                    i += 1
                case "#" where !inWord:
                    i = line.count
                case "<" where !inWord && i + 1 < line.count && line[i + 1] == "<":
                    let at = here()
                    guard commandStart != nil else {
                        throw .syntax("a here-document (<<WORD) comes after the command it feeds", at, sourceLine: lines[lineIndex])
                    }
                    guard !pendingInputs.contains(where: { $0.command == commands.count }) else {
                        throw .syntax("a command takes one here-document (<<WORD)", at, sourceLine: lines[lineIndex])
                    }
                    let (delimiter, next) = try hereDocumentWord(line, i + 2, at, lines[lineIndex])
                    pendingInputs.append((commands.count, delimiter, at))
                    i = next
                case "'", "\"":
                    startWord()
                    quote = c
                    quoteStart = here()
                    i += 1
                case "\\":
                    if i + 1 == line.count {
                        // A trailing backslash joins the next line.
                        continued = true
                        i += 1
                    } else {
                        startWord()
                        literal.append(line[i + 1])
                        i += 2
                    }
                case "$":
                    startWord()
                    let (part, next) = try variable(line, i, lineNumber, lines[lineIndex])
                    flushLiteral(); current.append(part); i = next
                default:
                    startWord()
                    literal.append(c)
                    i += 1
                }
            }
            lineIndex += 1
            if quote != nil {
                // A quote spans lines: keep the newline.
                if lineIndex < lines.count { literal.append("\n"); continue }
                throw .incomplete("unclosed \(quote == "'" ? "single" : "double") quote", quoteStart)
            }
            if continued {
                // Backslash-newline disappears, as in sh: `a\` + `b` is `ab`, `a \` + `b` is two words.
                if lineIndex < lines.count { continue }
                throw .incomplete("a trailing \\ continues the command on the next line",
                                  SourceLocation(file: file, line: lineNumber, column: line.count))
            }
            endCommand()
            // The lines after the one that opened here-documents are their bodies, in order.
            for input in pendingInputs {
                var body: [String] = []
                let first = SourceLocation(file: file, line: firstLine + lineIndex, column: 1)
                while lineIndex < lines.count, Self.blanksTrimmed(lines[lineIndex]) != input.delimiter {
                    body.append(lines[lineIndex])
                    lineIndex += 1
                }
                guard lineIndex < lines.count else {
                    throw .incomplete("here-document <<\(input.delimiter) is not closed: end it with a line holding only \(input.delimiter)", input.location)
                }
                lineIndex += 1
                if input.command < commands.count {
                    commands[input.command].input = CommandInput(text: body.joined(separator: "\n"), location: first)
                }
            }
            pendingInputs = []
        }
        return commands
    }

    /// The end word of a here-document after `<<` at `i` (`WORD`, `'WORD'` or `"WORD"`); returns
    /// it and the index after it.
    private func hereDocumentWord(_ line: [Character], _ i: Int, _ at: SourceLocation, _ source: String) throws(Failure) -> (String, Int) {
        var j = i
        let quote: Character? = j < line.count && "'\"".contains(line[j]) ? line[j] : nil
        if quote != nil { j += 1 }
        var word = ""
        while j < line.count, line[j].isLetter || line[j].isNumber || line[j] == "_" || line[j] == "-" { word.append(line[j]); j += 1 }
        if let quote {
            guard j < line.count, line[j] == quote else {
                throw .syntax("<<\(quote)\(word) is not closed by \(quote)", at, sourceLine: source)
            }
            j += 1
        }
        guard !word.isEmpty, j == line.count || " \t;".contains(line[j]) else {
            throw .syntax("<< must be followed by the word that ends the here-document (letters, digits, _ and -), as <<ITEMS", at, sourceLine: source)
        }
        return (word, j)
    }

    /// `$NAME` or `${NAME}` at `i`; returns the part and the index after it.
    private func variable(_ line: [Character], _ i: Int, _ lineNumber: Int, _ source: String) throws(Failure) -> (Word.Part, Int) {
        let at = SourceLocation(file: file, line: lineNumber, column: i + 1)
        var j = i + 1
        if j < line.count, line[j] == "{" {
            j += 1
            var name = ""
            while j < line.count, line[j] != "}" { name.append(line[j]); j += 1 }
            guard j < line.count else { throw .syntax("${ is not closed by }", at, sourceLine: source) }
            switch FieldPath.parse(name) {
            case let .success(path)?: return (.field(path, at), j + 1)
            case .failure?:
                throw .syntax("\"\(name)\" is not a field path; write ${NAME.field}, ${NAME.list[0].field} or ${NAME.list.length}",
                              at, sourceLine: source)
            case nil: break
            }
            guard Self.isName(name) else {
                throw .syntax("\"\(name)\" is not a variable name (letters, digits, _ and -)", at, sourceLine: source)
            }
            return (.variable(name, at), j + 1)
        }
        var name = ""
        while j < line.count, line[j].isLetter || line[j].isNumber || line[j] == "_" { name.append(line[j]); j += 1 }
        guard !name.isEmpty else { throw .syntax("$ must be followed by a variable name; write \\$ for a dollar sign", at, sourceLine: source) }
        return (.variable(name, at), j)
    }

    /// A line without the blanks around it.
    static func blanksTrimmed(_ line: String) -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        var trimmed = Substring(line)
        while let first = trimmed.first, blank(first) { trimmed.removeFirst() }
        while let last = trimmed.last, blank(last) { trimmed.removeLast() }
        return trimmed
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}
