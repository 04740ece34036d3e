import Foundation

/// Finds processes by their command line in /proc and kills them: how an engine restarted after
/// kill -9 stops the ffmpeg processes its previous run left behind. Only processes of this machine
/// (its /proc), and only those `OutputStaging.sweep` names: the ones writing into a staging folder
/// whose attempt's lock is free, so never the ffmpeg of an attempt another engine still runs.
enum OrphanReaper {
    /// SIGKILLs every process of this user whose command line contains one of `markers` (each a
    /// whole staging folder's path with its trailing `/`, so `job_x.1/` does not name `job_x.10/`).
    /// Returns how many it killed.
    @discardableResult
    static func kill(commandLinesContaining markers: [String]) -> Int {
        guard !markers.isEmpty,
              let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        let me = getpid()
        var killed = 0
        for entry in entries {
            guard let pid = Int32(entry), pid != me,
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { continue }
            let command = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            if markers.contains(where: { command.contains($0) }), Foundation.kill(pid, SIGKILL) == 0 { killed += 1 }
        }
        return killed
    }
}
