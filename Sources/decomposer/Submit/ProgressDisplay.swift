import Foundation

/// Shows a job's progress: a bar redrawn in place on a terminal, or one plain
/// line per change of status or message when stdout is a file or a pipe.
struct ProgressDisplay {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    private var lastLine = ""

    mutating func show(status: String, progress: Int, message: String) {
        if isTerminal {
            let width = 30
            let filled = max(0, min(width, progress * width / 100))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = "\r\(bar) \(String(format: "%3d", progress))%  \(message)"
            // Pad over a longer previous line.
            let padding = String(repeating: " ", count: max(0, lastLine.count - line.count))
            FileHandle.standardOutput.write(Data((line + padding).utf8))
            lastLine = line
        } else {
            let line = "\(status) \(progress)% \(message)"
            guard line != lastLine else { return }
            // Unbuffered, so a pipe reader sees each stage as it happens.
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            lastLine = line
        }
    }

    /// Ends the bar's line before other output.
    func finish() {
        if isTerminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}
