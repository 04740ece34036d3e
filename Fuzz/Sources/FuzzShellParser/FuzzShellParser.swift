import ShellKit

/// libFuzzer entry: any bytes as a script. Parsing may refuse the text (that is the point);
/// it must never crash, hang or take unbounded memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShellParser(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    do {
        let commands = try Parser(file: "fuzz.tcly").parse(text)
        // What the interpreter reads of each command must be readable too.
        for command in commands { _ = (command.location, command.sourceLine) }
    } catch {
        _ = "\(error)"
    }
    return 0
}
