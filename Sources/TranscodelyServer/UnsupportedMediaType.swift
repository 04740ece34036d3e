import TranscodelyAPI

/// A body in another media type than JSON: answered with HTTP 415.
struct UnsupportedMediaType: Error {
    var error: ConnectError
}
