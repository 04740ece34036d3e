import Foundation
import Testing
import TranscodelyAPI
@testable import TranscodelyEngine

/// Input paths stay inside their origin, whatever the client sends.
@Suite(.timeLimit(.minutes(5))) struct OriginsTests {
    let root: URL
    let origins: Origins

    init() throws {
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("origins-\(UUID().uuidString.prefix(8))")
        let inside = root.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: inside.appendingPathComponent("uploads/sub"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: inside.appendingPathComponent("uploads/a.mp4"))
        try Data("yy".utf8).write(to: inside.appendingPathComponent("uploads/sub/b.mp4"))
        try Data("z".utf8).write(to: inside.appendingPathComponent("uploads/.hidden"))
        try Data("secret".utf8).write(to: root.appendingPathComponent("outside.txt"))
        try FileManager.default.createSymbolicLink(atPath: inside.appendingPathComponent("escape").path,
                                                   withDestinationPath: root.path)
        try FileManager.default.createSymbolicLink(atPath: inside.appendingPathComponent("uploads/link.mp4").path,
                                                   withDestinationPath: inside.appendingPathComponent("uploads/a.mp4").path)
        origins = try Origins([LocalOrigin(id: "ori_media", name: "media", root: inside)])
    }

    func refusal(_ path: String) -> String? {
        do { _ = try origins.resolve(path, in: origins.all[0]); return nil } catch { return error.message }
    }

    @Test func relativePathsInsideTheOriginResolve() throws {
        #expect(refusal("uploads/a.mp4") == nil)
        #expect(refusal("uploads//sub/b.mp4") == nil)
        #expect(refusal("uploads/not-yet-there.mp4") == nil)
        #expect(refusal("uploads/link.mp4") == nil)
    }

    @Test func traversalAbsoluteAndSymlinkEscapesAreRefused() {
        #expect(refusal("../outside.txt")?.contains("may not contain . or ..") == true)
        #expect(refusal("uploads/../../outside.txt")?.contains("may not contain . or ..") == true)
        #expect(refusal("/etc/passwd")?.contains("is absolute") == true)
        #expect(refusal("escape/outside.txt")?.contains("leads out of origin ori_media through a symbolic link") == true)
        #expect(refusal("escape/nothing/here.mp4")?.contains("symbolic link") == true)
        #expect(refusal("uploads\\..\\x")?.contains("backslash") == true)
        #expect(refusal("") == "input_path: is required")
    }

    @Test func aMissingOriginFolderIsOneClearSentence() {
        #expect(throws: ConnectError.failedPrecondition("origin ori_x: folder /nonexistent/tcly does not exist; create it or fix --origin")) {
            try Origins([LocalOrigin(id: "ori_x", name: "x", root: URL(fileURLWithPath: "/nonexistent/tcly"))])
        }
    }

    @Test func listFilesPagesInPathOrderSkippingHiddenFilesAndEscapingLinks() throws {
        let first = try origins.listFiles(ListFilesRequest(originID: "ori_media", prefix: "uploads/", pageSize: 2))
        #expect(first.files.map(\.path) == ["uploads/a.mp4", "uploads/link.mp4"])
        #expect(first.files[0].sizeBytes == 1)
        let second = try origins.listFiles(ListFilesRequest(originID: "ori_media", prefix: "uploads/", pageSize: 2,
                                                            pageToken: first.nextPageToken))
        #expect(second.files.map(\.path) == ["uploads/sub/b.mp4"])
        #expect(second.nextPageToken == "")
        let all = try origins.listFiles(ListFilesRequest(originID: "ori_media"))
        #expect(!all.files.contains { $0.path.hasPrefix("escape") })
        #expect(throws: ConnectError.self) { try origins.listFiles(ListFilesRequest(originID: "ori_nope")) }
    }
}
