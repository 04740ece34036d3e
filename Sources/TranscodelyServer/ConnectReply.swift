import Foundation
import HTTPTypes
import Hummingbird
import TranscodelyAPI

/// Builds the HTTP responses of the Connect protocol: a JSON message with 200, or an error body
/// `{"code", "message"}` with the HTTP status of its code.
enum ConnectReply {
    static let json: HTTPFields = [.contentType: "application/json"]

    static func message<T: Encodable>(_ value: T, headers: HTTPFields = [:]) throws -> Response {
        var fields = json
        fields.append(contentsOf: headers)
        let buffer: ByteBuffer
        if let writable = value as? any JSONWritable {
            buffer = ByteBuffer(bytes: writable.jsonBytes)
        } else {
            buffer = ByteBuffer(bytes: try WireCoding.encoder().encode(value))
        }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: buffer))
    }

    static func error(_ error: ConnectError, status: Int? = nil, headers: HTTPFields = [:]) -> Response {
        let data = (try? WireCoding.encoder().encode(error)) ?? Data(#"{"code":"internal","message":"internal error"}"#.utf8)
        var fields = json
        fields.append(contentsOf: headers)
        return Response(status: HTTPResponse.Status(code: status ?? error.code.httpStatus), headers: fields,
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let organizationID = Self("X-Organization-ID")!
    static let connectTimeout = Self("Connect-Timeout-Ms")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let rateLimit = Self("RateLimit")!
    static let rateLimitPolicy = Self("RateLimit-Policy")!
}
