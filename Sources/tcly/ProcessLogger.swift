import Foundation
import Logging

/// The process's logger: to standard error, level from `TCLY_LOG_LEVEL` (default notice).
func makeLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["TCLY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
    return logger
}
