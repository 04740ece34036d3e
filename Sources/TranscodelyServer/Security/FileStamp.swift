import Foundation

/// Which version of a certificate file and a key file is on disk (device, inode, size and
/// modification time of each): equal stamps, same files. How `ReloadableCertificate` tells a
/// renewal (a rename gives a new inode, a rewrite a new time) without reading the files.
struct FileStamp: Equatable, Sendable {
    struct Identity: Equatable, Sendable {
        var device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }
    var certificate: Identity?
    var key: Identity?

    init(_ certificateFile: String, _ keyFile: String) {
        certificate = Self.identity(certificateFile)
        key = Self.identity(keyFile)
    }

    static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                        seconds: Int(modified.tv_sec), nanoseconds: Int(modified.tv_nsec))
    }
}
