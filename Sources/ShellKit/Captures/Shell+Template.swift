extension Shell {
    /// `text` with `$NAME`, `${NAME}` and `${NAME.field[0].field}` replaced by their values, as
    /// inside double quotes; `\$` is a dollar sign, and a `$` not followed by a name stays as it is.
    /// For a command that takes a body its words do not expand (a JSON body in single quotes).
    /// Errors are those of the shell's own expansion, at `location`.
    public func expand(template text: String, at location: SourceLocation? = nil) throws(ShellError) -> String {
        let characters = Array(text)
        var out = ""
        var i = 0
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        let here = location ?? SourceLocation(file: "<text>", line: 1, column: 1)
        while i < characters.count {
            let c = characters[i]
            if c == "\\", i + 1 < characters.count, characters[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            guard c == "$", i + 1 < characters.count else {
                out.append(c)
                i += 1
                continue
            }
            if characters[i + 1] == "{", let close = characters[(i + 2)...].firstIndex(of: "}") {
                let inner = String(characters[(i + 2)..<close])
                switch FieldPath.parse(inner) {
                case let .success(path)?: out += try read(path, at: here).text
                case .failure?:
                    throw ShellError("\"\(inner)\" is not a field path; write ${NAME.field}, ${NAME.list[0].field} or ${NAME.list.length}",
                                     location: location, status: 2)
                case nil:
                    guard let value = variables[inner] else {
                        throw ShellError("$\(inner) is not set; set it with: set \(inner) VALUE", location: location)
                    }
                    out += value
                }
                i = close + 1
                continue
            }
            var j = i + 1
            while j < characters.count, isNameCharacter(characters[j]) { j += 1 }
            guard j > i + 1 else {
                out.append(c)
                i += 1
                continue
            }
            let name = String(characters[(i + 1)..<j])
            guard let value = variables[name] else {
                throw ShellError("$\(name) is not set; set it with: set \(name) VALUE (write \\$ for a dollar sign)", location: location)
            }
            out += value
            i = j
        }
        return out
    }
}
