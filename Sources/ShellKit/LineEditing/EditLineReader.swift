import CEditLine
import Foundation

/// Line editing with libedit: emacs keys (and `~/.editrc`), history kept in a file (deduplicated,
/// capped; lines come redacted as the host's `ShellProfile` says), Ctrl-R incremental search, and Tab completion from a `Completer`.
/// Use it only when standard input and output are both terminals (`EditLineReader.isUsable`).
public final class EditLineReader: LineReader, @unchecked Sendable {
    // libedit state is only touched from the one thread that reads lines at a time.
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private let historyFile: String?
    private let completer: Completer?
    private var promptText: UnsafeMutablePointer<CChar>?

    /// Whether line editing can work here: stdin and stdout are terminals (with stdout piped,
    /// libedit turns editing off while stdin still looks like a terminal).
    public static var isUsable: Bool { isatty(0) == 1 && isatty(1) == 1 }

    public init(program: String, historyFile: String?, completer: Completer?) {
        cedit_setlocale()  // without it libedit drops non-ASCII characters
        editor = cedit_el_init(program)
        history = cedit_history_init()
        self.historyFile = historyFile
        self.completer = completer
        cedit_history_setsize(history, 1000)
        cedit_history_setunique(history, 1)
        if let historyFile { cedit_history_load(history, historyFile) }
        cedit_el_set_editor(editor, "emacs")
        cedit_el_set_hist(editor, history)
        cedit_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        cedit_el_set_prompt(editor) { editor in
            guard let editor, let data = cedit_el_get_clientdata(editor) else { return nil }
            return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().promptText
        }
        cedit_el_addfn(editor, "\(program)-complete", "complete the word at the cursor") { editor, _ in
            guard let editor, let data = cedit_el_get_clientdata(editor) else { return UInt8(CC_ERROR) }
            return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().complete()
        }
        cedit_el_bind(editor, "^I", "\(program)-complete")
        cedit_el_bind(editor, "^R", "em-inc-search-prev")
        el_source(editor, nil)  // ~/.editrc
    }

    deinit {
        el_end(editor)
        history_end(history)
        free(promptText)
    }

    public func read(prompt: String) -> String? {
        free(promptText)
        promptText = strdup(prompt)
        var count: Int32 = 0
        guard let line = el_gets(editor, &count), count > 0 else {
            cedit_print("\n")  // Ctrl-D leaves the cursor after the prompt
            return nil
        }
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    public func remember(_ line: String) {
        let kept = line.trimmingCharacters(in: .whitespaces)
        guard !kept.isEmpty else { return }
        cedit_history_enter(history, kept)
        if let historyFile {
            try? FileManager.default.createDirectory(atPath: (historyFile as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            cedit_history_save(history, historyFile)
            chmod(historyFile, 0o600)
        }
    }

    /// Tab: one candidate is inserted with a space; several insert their common prefix, or are
    /// listed when there is none to add.
    private func complete() -> UInt8 {
        guard let completer, let info = el_line(editor)?.pointee else { return UInt8(CC_ERROR) }
        let length = info.lastchar - info.buffer
        let cursor = info.cursor - info.buffer
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(info.buffer).assumingMemoryBound(to: UInt8.self), count: length)
        let line = String(decoding: bytes.prefix(cursor), as: UTF8.self)
        let result = Completer.blocking { await completer.complete(line) }
        guard !result.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        let word = result.word
        if result.candidates.count == 1 {
            let rest = String(result.candidates[0].dropFirst(word.count))
            el_insertstr(editor, rest + (rest.hasSuffix("/") ? "" : " "))
            return UInt8(CC_REFRESH)
        }
        let common = Completer.commonPrefix(result.candidates)
        if common.count > word.count {
            el_insertstr(editor, String(common.dropFirst(word.count)))
            return UInt8(CC_REFRESH)
        }
        cedit_print("\n" + result.candidates.prefix(60).joined(separator: "  ") + (result.candidates.count > 60 ? "  …" : "") + "\n")
        return UInt8(CC_REDISPLAY)
    }
}
