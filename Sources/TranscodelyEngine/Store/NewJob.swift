import Crypto
import Foundation
import TranscodelyAPI

/// A create on its way into the store.
struct NewJob: Sendable {
    var id: String
    var orgID: String
    var appID: String
    var request: CreateJobRequest
    /// SHA-256 of the request's canonical form: "same parameters" means equal hashes.
    var requestHash: Data

    init(orgID: String, appID: String, request: CreateJobRequest) {
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
