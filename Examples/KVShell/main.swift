import Foundation
import ShellKit

// kvshell: a key-value store's shell, to show ShellKit embedded by a host that is not tcly.
let shell = KVShell.shell()
let interactive = EditLineReader.isUsable
let reader: any LineReader = interactive
    ? EditLineReader(program: "kvshell", historyFile: nil, completer: Completer(registry: shell.registry, source: nil))
    : PlainLineReader()
exit(await Repl(shell: shell, reader: reader, interactive: interactive).run())
