import Foundation
import TranscodelyAPI

/// A job failure with the code the API reports.
public struct JobFailure: Error, Sendable, Hashable {
    public var code: JobError.Code
    public var message: String

    public init(_ code: JobError.Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var jobError: JobError { JobError(code: code, message: message) }
}
