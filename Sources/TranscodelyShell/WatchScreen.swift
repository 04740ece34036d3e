import Foundation

/// Puts `WatchView` frames on the terminal: each frame overwrites the last in place (cursor up,
/// each line cleared as it is rewritten, the rest below cleared), inside a synchronized update so
/// terminals that know it show no tearing; a resize clears and redraws.
struct WatchScreen {
    private var drawn = 0
    private var size: (width: Int, height: Int)?

    /// The terminal's size (80×24 when it cannot be read).
    static func terminalSize() -> (width: Int, height: Int) {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// The text that replaces the previous frame by `view`.
    mutating func frame(_ view: WatchView) -> String {
        let current = Self.terminalSize()
        var text = "\u{1B}[?2026h"
        if let size, size != current {
            // The terminal reflowed the old frame: start clean.
            text += "\u{1B}[2J\u{1B}[H"
        } else if drawn > 0 {
            text += "\u{1B}[\(drawn)A\r"
        }
        size = current
        let lines = view.lines(width: current.width - 1, height: current.height)
        for line in lines { text += "\u{1B}[2K" + line + "\n" }
        text += "\u{1B}[J\u{1B}[?2026l"
        drawn = lines.count
        return text
    }
}
