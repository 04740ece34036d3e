/// The version `tcly --version` prints.
enum TclyVersion {
    static let current = "0.1.0"
}
