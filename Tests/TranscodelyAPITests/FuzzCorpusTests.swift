import Foundation
import Testing
import TranscodelyTestSupport
import TranscodelyAPI

/// Every input the request-decoder fuzzer kept (Fuzz/Corpus/decoder, and any crash added there)
/// decodes or is refused as `invalid_argument` — on every `swift test`, not only when fuzzing.
@Suite(.timeLimit(.minutes(5))) struct FuzzCorpusTests {
    @Test func theDecoderCorpusDecodesOrIsRefusedAsInvalidArgument() throws {
        let files = FuzzCorpus.files("decoder")
        #expect(files.count >= 5)
        for file in files {
            let data = try Data(contentsOf: file)
            func check<T: Decodable>(_ type: T.Type) {
                do { _ = try WireCoding.decodeRequest(type, from: data) } catch {
                    #expect(error.code == .invalidArgument && !error.message.isEmpty, "\(file.lastPathComponent)")
                }
            }
            check(CreateJobRequest.self)
            check(ListJobsRequest.self)
            check(JobIDRequest.self)
            check(ListFilesRequest.self)
            check(CreateWebhookRequest.self)
        }
    }

    @Test func aKeyGivenTwiceIsRefusedNamingItsPath() {
        func refusal(_ json: String) -> String? {
            do { _ = try WireCoding.decodeRequest(CreateJobRequest.self, from: Data(json.utf8)); return nil } catch { return error.message }
        }
        let outputs = #""outputs":[{"type":"mp4","video":[{"codec":"h264","resolution":"720p"}]}]"#
        #expect(refusal(#"{"input_origin_id":"a","input_path":"x","output_origin_id":"b",\#(outputs),"input_path":"y"}"#)
                == "input_path: given twice; send each field once")
        #expect(refusal(#"{"input_origin_id":"a","input_path":"x","output_origin_id":"b","outputs":[{"type":"mp4","video":[{"codec":"h264","codec":"h265","resolution":"720p"}]}]}"#)
                == "outputs[0].video[0].codec: given twice; send each field once")
        #expect(refusal(#"{"input_origin_id":"a","input_path":"x","output_origin_id":"b","metadata":{"k":"1","k":"2"},\#(outputs)}"#)
                == "metadata.k: given twice; send each field once")
        // An escape is the same key.
        #expect(refusal(#"{"input_origin_id":"a","input_path":"x","output_origin_id":"b","\u0069nput_path":"y",\#(outputs)}"#)
                == "input_path: given twice; send each field once")
        // The same name in different objects, and keys inside strings, are fine.
        #expect(refusal(#"{"input_origin_id":"a","input_path":"x \"input_path\":","output_origin_id":"b","metadata":{"input_path":"1"},\#(outputs)}"#) == nil)
    }
}
