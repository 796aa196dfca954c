import Foundation

/// A one-line progress bar on standard error (only when it is a terminal, or when forced).
final class ProgressBar: @unchecked Sendable {
    let total: Int
    let label: String
    let start = Date()
    private var last = -1
    private let lock = NSLock()
    let enabled: Bool

    init(total: Int, label: String) {
        self.total = max(1, total)
        self.label = label
        enabled = isatty(2) != 0 || !(ProcessInfo.processInfo.environment["JOULE_PROGRESS"] ?? "").isEmpty
    }

    func update(_ done: Int) {
        lock.lock(); defer { lock.unlock() }
        let percent = min(100, done * 100 / total)
        guard enabled, percent != last else { return }
        last = percent
        let width = 30
        let filled = width * percent / 100
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r%@ [%@] %3d%% %d/%d  %.0fs left ", label, bar, percent,
                                                   min(done, total), total, eta).utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data(String(format: "\r%@ done in %.1fs%@\n", label,
                                                   Date().timeIntervalSince(start), String(repeating: " ", count: 50)).utf8))
    }
}
