import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import TranscodelyAPI

/// Reads a Connect request body: JSON only, at most `limit` bytes before and after gzip.
enum ConnectRequestBody {
    /// Checks the media type; Connect's unary JSON is `application/json` (a charset parameter is allowed).
    static func checkContentType(_ request: Request) -> ConnectError? {
        let type = request.headers[.contentType] ?? ""
        let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard media == "application/json" else {
            let shown = type.isEmpty ? "none" : "\"\(type)\""
            return .invalidArgument("Content-Type must be application/json, got \(shown)")
        }
        return nil
    }

    static func read(_ request: Request, limit: Int) async throws(ConnectError) -> Data {
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw .invalidArgument("the request body is larger than \(limit / 1024) KiB; split the request")
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            break
        case "gzip":
            do {
                buffer = try buffer.decompress(with: .gzip(), maxSize: limit)
                // The decompressor grows its buffer in powers of two: check the real size too.
                if buffer.readableBytes > limit { throw CompressNIOError.bufferOverflow }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw .invalidArgument("the request body is larger than \(limit / 1024) KiB once decompressed; split the request")
            } catch {
                throw .invalidArgument("the request body is not valid gzip data")
            }
        case let other?:
            throw ConnectError(.unimplemented, "Content-Encoding \(other) is not supported; send gzip or identity")
        }
        return Data(buffer.readableBytesView)
    }
}
