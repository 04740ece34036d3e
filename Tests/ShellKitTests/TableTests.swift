import Testing
@testable import ShellKit

@Suite(.timeLimit(.minutes(1))) struct TableTests {
    @Test func columnsAlignByWhatATerminalShows() {
        let green = "\u{1B}[32mcompleted\u{1B}[0m"
        #expect(DisplayWidth.of(green) == 9)
        #expect(DisplayWidth.of("日本.mp4") == 8)
        #expect(DisplayWidth.of("\u{1B}[2mé\u{1B}[0m") == 1)
        var table = Table(["ID", "STATUS", "N"])
        table.add(["a", green, "1"])
        table.add(["日本", "failed", "2"])
        #expect(table.text == "ID    STATUS     N\na     \(green)  1\n日本  failed     2")
        var wide = Table(["STATUS", "N"], minimumWidths: [0: 10])
        wide.add([green, "1"])
        #expect(wide.text == "STATUS      N\n\(green)   1")
    }
}
