import PostgresStore
import Testing

@Suite("PostgresURL")
struct PostgresURLTests {
    @Test("reads user, password, host, port, database and sslmode")
    func readsEveryPart() throws {
        let url = try PostgresURL(parsing: "postgres://tcly:s3cret@db.internal:6543/jobs?sslmode=require")
        #expect(url == PostgresURL(username: "tcly", password: "s3cret", host: "db.internal", port: 6543, database: "jobs", tls: .require))
        #expect(url.description == "postgres://tcly:***@db.internal:6543/jobs?sslmode=require")
        let plain = try PostgresURL(parsing: "postgresql://postgres@127.0.0.1/tcly")
        #expect(plain.port == 5432 && plain.tls == .prefer && plain.password == nil)
    }

    @Test("says which part is wrong, never repeating a password", arguments: [
        ("mysql://u@h/db", "the scheme must be postgres://"),
        ("postgres://h/db", "it names no user"),
        ("postgres://u:pw@h", "it names no database"),
        ("postgres://u@h/db?sslmode=maybe", "sslmode must be disable, prefer or require"),
        ("postgres://u@h/db?timeout=3", "unknown parameter timeout"),
        ("postgres://u:pw/x@h", "it is not a URL"),
        ("postgres://u:p:w@h", "it names no database"),
        ("postgres://u:pw@x@h", "it names no database"),
    ])
    func rejects(text: String, reason: String) {
        #expect {
            try PostgresURL(parsing: text)
        } throws: { error in
            let description = String(describing: error)
            return description.contains(reason) && !description.contains("pw") && !description.contains("p:w")
                && description.contains("postgres://USER")
        }
    }
}
