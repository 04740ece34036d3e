import PostgresNIO

/// What went wrong in a PostgreSQL call, in words: the server's message, SQLSTATE, detail and
/// hint when the server answered, else the client's own reason. (`PSQLError`'s `description` is
/// deliberately generic; its fields are not.)
enum PostgresErrorText {
    static func of(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError {
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? transaction.rollbackError
            return inner.map(of) ?? "the transaction failed"
        }
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let info = error.serverInfo, let message = info[.message] {
            var text = message
            if let state = info[.sqlState] { text += " (SQLSTATE \(state))" }
            if let detail = info[.detail] { text += "; \(detail)" }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            return text
        }
        var text = "\(error.code)"
        if let underlying = error.underlying { text += ": \(underlying)" }
        return text
    }
}
