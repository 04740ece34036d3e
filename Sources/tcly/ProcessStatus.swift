/// The process's exit status for a shell status: 0 when every command succeeded, 1 when one
/// failed (whatever its own status), 130 when interrupted. 2 stays for misuse of tcly itself.
func processStatus(_ status: Int32) -> Int32 {
    switch status {
    case 0: 0
    case 130: 130
    default: 1
    }
}
