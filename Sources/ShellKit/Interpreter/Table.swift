/// Aligned columns for command output: a header row, then one row per item; the last column is
/// not padded. Cells are measured as a terminal shows them (`DisplayWidth`), so a coloured cell
/// is as wide as its words.
public struct Table: Sendable {
    public var header: [String]
    public var rows: [[String]] = []
    /// The least width of a column, by its position: a column that keeps its width whatever its
    /// cells hold this time.
    public var minimumWidths: [Int: Int] = [:]

    public init(_ header: [String], minimumWidths: [Int: Int] = [:]) {
        self.header = header
        self.minimumWidths = minimumWidths
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            max(minimumWidths[column] ?? 0, all.map { column < $0.count ? DisplayWidth.of($0[column]) : 0 }.max() ?? 0)
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[column] - DisplayWidth.of(cell)))
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
