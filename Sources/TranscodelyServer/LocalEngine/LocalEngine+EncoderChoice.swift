import TranscodelyEngine

extension LocalEngine {
    /// How jobs are encoded.
    public enum EncoderChoice: Sendable {
        /// ffmpeg with this many threads per job (0: every core); starting fails without ffmpeg.
        case ffmpeg(threads: Int)
        /// ffmpeg when installed, else the simulation (the embedded shell's default);
        /// ``LocalEngine/simulatesForLackOfFFmpeg`` tells which.
        case ffmpegOrSimulate
        /// No media: states, timing and progress only.
        case simulate(SimulatedEncoder.Spec)
        /// An encoder of the caller's.
        case custom(any MediaEncoder)
    }
}
