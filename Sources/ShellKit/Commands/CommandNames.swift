/// Command names as completion and "did you mean" use them, for any list of commands.
enum CommandNames {
    /// Names and aliases, sorted.
    static func all(_ commands: [any CommandDescription.Type]) -> [String] {
        commands.flatMap { [$0.about.name] + $0.about.aliases }.sorted()
    }

    /// The name in `names` closest to `name` (edit distance ≤ 2).
    static func suggestion(for name: String, among names: [String]) -> String? {
        names.map { ($0, distance($0, name)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
