import Crypto
import Foundation
import TranscodelyAPI

/// A create on its way into the store.
public struct NewJob: Sendable {
    /// The id the job gets if it is created (a replay keeps the one it has).
    public var id: String
    public var orgID: String
    /// The app creating it: idempotency keys are the app's own.
    public var appID: String
    public var request: CreateJobRequest
    /// SHA-256 of the request's canonical form: "same parameters" means equal hashes.
    public var requestHash: Data

    /// A create by `appID` of `orgID`, with a new job id and the request's hash.
    public init(orgID: String, appID: String, request: CreateJobRequest) {
        id = IDGenerator.job()
        self.orgID = orgID
        self.appID = appID
        self.request = request
        requestHash = Self.hash(request)
    }

    static func hash(_ request: CreateJobRequest) -> Data {
        Data(SHA256.hash(data: Data(request.canonicalForm.utf8)))
    }
}
