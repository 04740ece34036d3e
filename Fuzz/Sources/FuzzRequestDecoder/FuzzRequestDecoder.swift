import Foundation
import TranscodelyAPI

/// libFuzzer entry: any bytes as the body of every request the API decodes. A refusal is an
/// `invalid_argument` naming the field; nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestDecoder(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(UnsafeRawBufferPointer(start: start, count: count))
    func attempt<T: Decodable>(_ type: T.Type) {
        do { _ = try WireCoding.decodeRequest(type, from: data) } catch { _ = error.message }
    }
    attempt(CreateJobRequest.self)
    attempt(ListJobsRequest.self)
    attempt(JobIDRequest.self)
    attempt(ListFilesRequest.self)
    attempt(CreateWebhookRequest.self)
    attempt(WebhookIDRequest.self)
    if let request = try? WireCoding.decodeRequest(CreateJobRequest.self, from: data) {
        _ = try? request.validate()
        _ = request.canonicalForm
    }
    return 0
}
