/// How many terminal columns text takes: ANSI escape sequences (colours) take none, East Asian
/// wide characters and emoji take two, everything else one a character.
public enum DisplayWidth {
    /// The columns `text` takes on a terminal.
    public static func of(_ text: String) -> Int {
        var width = 0
        var escape = EscapeState.none
        for character in text {
            switch escape {
            case .none:
                if character == "\u{1B}" { escape = .started; continue }
                width += character.unicodeScalars.first.map(columns) ?? 0
            case .started:
                // ESC [ … final byte (CSI), or ESC and one character.
                escape = character == "[" ? .csi : .none
            case .csi:
                if let scalar = character.unicodeScalars.first, (0x40...0x7E).contains(scalar.value) { escape = .none }
            }
        }
        return width
    }

    private enum EscapeState { case none, started, csi }

    /// The columns one character takes, by its first scalar.
    private static func columns(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0..<0x20, 0x7F: 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD: 2
        default: 1
        }
    }
}
