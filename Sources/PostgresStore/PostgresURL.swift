import Foundation
import NIOCore
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL store lives, as `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also
/// `postgresql://`), the form `tcly serve --store` and `TCLY_TEST_POSTGRES_URL` take. An optional
/// `?sslmode=disable|prefer|require` chooses TLS (default `prefer`: TLS when the server offers it,
/// its certificate checked against the system's trust store; `require` refuses a plain connection).
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS.
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var username: String
    /// Never shown by `description`.
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode

    public init(username: String, password: String? = nil, host: String, port: Int = 5432, database: String, tls: TLSMode = .prefer) {
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
    }

    /// Reads a URL; the error says which part is wrong and what the form is.
    public init(parsing text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text) else { throw PostgresURLError(text, "it is not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresURLError(text, "the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresURLError(text, "it names no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresURLError(text, "it names no user (postgres://USER@HOST/DB)") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError(text, "it names no database: end it with /DATABASE")
        }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw PostgresURLError(text, "unknown parameter \(item.name): only sslmode=disable|prefer|require is read")
            }
            guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                throw PostgresURLError(text, "sslmode must be disable, prefer or require")
            }
            tls = mode
        }
        self.init(username: user, password: components.password, host: host, port: components.port ?? 5432,
                  database: database, tls: tls)
    }

    /// The same server, another database (the tests make one per test).
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL without its password.
    public var description: String {
        let query = tls == .prefer ? "" : "?sslmode=\(tls.rawValue)"
        return "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)\(query)"
    }

    /// One connection's configuration for this URL (a check before a pool is made), giving up a
    /// connect after `timeout`.
    public func connectionConfiguration(timeout: TimeAmount = .seconds(10)) throws -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password,
                                                             database: database, tls: mode)
        configuration.options.connectTimeout = timeout
        return configuration
    }

    /// The client configuration for this URL, with `maximumConnections` connections at most.
    public func configuration(maximumConnections: Int = 20) -> PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                                         database: database, tls: mode)
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }
}

/// A PostgreSQL URL that could not be read.
public struct PostgresURLError: Error, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String

    init(_ text: String, _ reason: String) {
        // Never repeat a password back, whatever it holds (`:`, `/` or `@` too): everything from
        // the user's colon to the last `@` goes.
        self.text = text.replacing(/\/\/([^:@\/]*):.*@/) { "//\($0.1):***@" }
        self.reason = reason
    }

    public var description: String {
        "not a PostgreSQL URL (\(text)): \(reason); the form is postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
    }
}
