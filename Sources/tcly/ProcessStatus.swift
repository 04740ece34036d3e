/// The process's exit status for a shell status: 0 when every command succeeded, 130 when
/// interrupted, 124 when a `wait` timed out (as timeout(1) says it, so a script can tell a timeout
/// from a failure), 1 when a command failed otherwise (whatever its own status). 2 stays for misuse
/// of tcly itself.
func processStatus(_ status: Int32) -> Int32 {
    switch status {
    case 0: 0
    case 124: 124
    case 130: 130
    default: 1
    }
}
