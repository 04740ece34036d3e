/// Where the cursor is in a JSON body typed so far (`{"outputs": [{"ty`): in a field name of an
/// object or in a value, with the keys that lead there: what completion inside `call` offers
/// candidates for. It reads unfinished JSON as far as it goes and never fails.
struct JSONCursor: Equatable {
    enum Place: Equatable {
        /// Typing (or about to type) a field name of the object at `path`.
        case key
        /// Typing (or about to type) the value of the field `path` ends with.
        case value
    }

    var place: Place
    /// The field names from the body's top object to here (array elements skipped).
    var path: [String]
    /// What has been typed of the word: `"out` (from its opening quote), or "" before one.
    var prefix: String

    /// The cursor at the end of `text`; nil when it is in no place a field or value is typed
    /// (after a value, inside a number).
    static func at(end text: String) -> JSONCursor? {
        enum Frame {
            case object(key: String?, expectingKey: Bool)
            case array
        }
        var stack: [Frame] = []
        var characters = Array(text)[...]
        var afterValue = false
        while let c = characters.first {
            characters = characters.dropFirst()
            switch c {
            case "{": stack.append(.object(key: nil, expectingKey: true)); afterValue = false
            case "[": stack.append(.array); afterValue = false
            case "}", "]": _ = stack.popLast(); afterValue = true
            case ",":
                if case .object? = stack.last { stack[stack.count - 1] = .object(key: nil, expectingKey: true) }
                afterValue = false
            case ":":
                if case let .object(key, _)? = stack.last { stack[stack.count - 1] = .object(key: key, expectingKey: false) }
                afterValue = false
            case "\"":
                var content = ""
                var closed = false
                while let d = characters.first {
                    characters = characters.dropFirst()
                    if d == "\\", let escaped = characters.first { content.append(escaped); characters = characters.dropFirst(); continue }
                    if d == "\"" { closed = true; break }
                    content.append(d)
                }
                let keys = stack.compactMap { frame -> String? in
                    if case let .object(key, _) = frame { return key }
                    return nil
                }
                if case .object(_, true)? = stack.last {
                    guard closed else { return JSONCursor(place: .key, path: keys, prefix: "\"" + content) }
                    stack[stack.count - 1] = .object(key: content, expectingKey: true)
                } else {
                    guard closed else { return JSONCursor(place: .value, path: keys, prefix: "\"" + content) }
                    afterValue = true
                }
            case " ", "\t", "\n": break
            default: afterValue = true  // numbers, true, false, null
            }
        }
        let keys = stack.compactMap { frame -> String? in
            if case let .object(key, _) = frame { return key }
            return nil
        }
        switch stack.last {
        case let .object(_, expectingKey)? where expectingKey && !afterValue: return JSONCursor(place: .key, path: keys, prefix: "")
        case let .object(key, expectingKey)? where !expectingKey && key != nil && !afterValue: return JSONCursor(place: .value, path: keys, prefix: "")
        case .array? where !afterValue: return JSONCursor(place: .value, path: keys, prefix: "")
        default: return nil
        }
    }
}
