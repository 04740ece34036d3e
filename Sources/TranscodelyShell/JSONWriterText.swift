import TranscodelyAPI

/// A wire value's JSON as text.
enum JSONWriterText {
    static func of(_ value: some JSONWritable) -> String {
        String(decoding: value.jsonBytes, as: UTF8.self)
    }
}
