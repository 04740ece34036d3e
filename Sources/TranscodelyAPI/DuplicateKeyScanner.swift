import Foundation

/// Finds a key given twice in one JSON object — which Foundation's decoders silently resolve by
/// keeping one of them, so that two readers of one request could disagree on what it asks for.
/// Requests with one are refused (`invalid_argument` naming the field), as protobuf's JSON
/// parsers do. One pass over the bytes; the JSON is assumed well formed (the decoder checks that).
enum DuplicateKeyScanner {
    /// One open container: the keys seen (objects), the current key or index.
    private struct Frame {
        var isObject: Bool
        var keys: Set<[UInt8]> = []
        var label = ""
        var index = 0
        var expectingKey = true
    }

    /// The path of the first key repeated in its object (as `outputs` or `outputs[0].video`), or nil.
    static func firstDuplicate(in bytes: some Collection<UInt8>) -> String? {
        var stack: [Frame] = []
        var iterator = bytes.makeIterator()
        func path(_ last: String) -> String {
            var text = ""
            for frame in stack.dropLast() where !frame.label.isEmpty {
                text += frame.isObject ? (text.isEmpty ? frame.label : "." + frame.label) : frame.label
            }
            return text.isEmpty ? last : text + "." + last
        }
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(Frame(isObject: true))
            case UInt8(ascii: "["):
                stack.append(Frame(isObject: false, label: "[0]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                stack.removeLast()
            case UInt8(ascii: ","):
                guard !stack.isEmpty else { continue }
                if stack[stack.count - 1].isObject {
                    stack[stack.count - 1].expectingKey = true
                } else {
                    stack[stack.count - 1].index += 1
                    stack[stack.count - 1].label = "[\(stack[stack.count - 1].index)]"
                }
            case UInt8(ascii: "\""):
                var string: [UInt8] = []
                while let next = iterator.next(), next != UInt8(ascii: "\"") {
                    string.append(next)
                    if next == UInt8(ascii: "\\"), let escaped = iterator.next() { string.append(escaped) }
                }
                guard let top = stack.last, top.isObject, top.expectingKey else { continue }
                // Compared as decoded: "\u0061" and "a" are one key.
                var name = String(decoding: string, as: UTF8.self)
                if string.contains(UInt8(ascii: "\\")),
                   let decoded = try? JSONDecoder().decode(String.self, from: Data(([UInt8(ascii: "\"")] + string + [UInt8(ascii: "\"")]))) {
                    name = decoded
                }
                if !stack[stack.count - 1].keys.insert(Array(name.utf8)).inserted { return path(name) }
                stack[stack.count - 1].expectingKey = false
                stack[stack.count - 1].label = name
            default:
                continue
            }
        }
        return nil
    }
}
