import Foundation

/// One point of a sweep over `T`.
public struct TimestepSweepPoint: Sendable {
    public var timesteps: Int
    /// QNN accuracy (equal to the layer-wise SNN's).
    public var accuracy: Double
    /// Streaming-SNN accuracy, when measured.
    public var streamingAccuracy: Double?
    /// Spike rate `s_r` of the (layer-wise) SNN twin.
    public var spikeRate: Double

    public init(timesteps: Int, accuracy: Double, streamingAccuracy: Double?, spikeRate: Double) {
        self.timesteps = timesteps
        self.accuracy = accuracy
        self.streamingAccuracy = streamingAccuracy
        self.spikeRate = spikeRate
    }
}

/// The paper's Figure 7 for a model: accuracy and spike rate against `T`, as SVG.
public enum TimestepSweepPlot {
    public static func svg(_ points: [TimestepSweepPoint], title: String) -> String {
        var d = SVGDocument(width: 640, height: 400)
        let left = 60.0, right = 580.0, top = 40.0, bottom = 340.0
        let tMax = Double(points.map(\.timesteps).max() ?? 16)
        let accuracies = points.flatMap { [$0.accuracy] + ($0.streamingAccuracy.map { [$0] } ?? []) }
        let accLow = max(0, ((accuracies.min() ?? 0) * 20).rounded(.down) / 20)
        let rateHigh = max(0.01, ((points.map(\.spikeRate).max() ?? 0.1) * 20).rounded(.up) / 20)
        func x(_ t: Int) -> Double { left + (right - left) * (Double(t) - 1) / max(1, tMax - 1) }
        func yAcc(_ a: Double) -> Double { bottom - (bottom - top) * (a - accLow) / max(0.01, 1 - accLow) }
        func yRate(_ r: Double) -> Double { bottom - (bottom - top) * r / rateHigh }
        d.text(320, 24, title, size: 15, anchor: "middle")
        d.line(left, bottom, right, bottom)
        d.line(left, top, left, bottom)
        d.line(right, top, right, bottom)
        for t in points.map(\.timesteps) {
            d.line(x(t), bottom, x(t), bottom + 5)
            d.text(x(t), bottom + 18, "\(t)", size: 11, anchor: "middle")
        }
        d.text((left + right) / 2, bottom + 40, "timesteps T (QNN levels 0…T)", size: 13, anchor: "middle")
        for k in 0...4 {
            let a = accLow + (1 - accLow) * Double(k) / 4
            d.line(left - 5, yAcc(a), left, yAcc(a))
            d.text(left - 8, yAcc(a) + 4, String(format: "%.0f%%", a * 100), size: 11, anchor: "end", fill: "#1f77b4")
            let r = rateHigh * Double(k) / 4
            d.line(right, yRate(r), right + 5, yRate(r))
            d.text(right + 8, yRate(r) + 4, String(format: "%.3f", r), size: 11, fill: "#d62728")
        }
        d.text(18, (top + bottom) / 2, "accuracy", size: 13, anchor: "middle", fill: "#1f77b4", rotate: -90)
        d.text(630, (top + bottom) / 2, "spike rate s_r", size: 13, anchor: "middle", fill: "#d62728", rotate: 90)
        d.polyline(points.map { (x($0.timesteps), yAcc($0.accuracy)) }, stroke: "#1f77b4")
        for p in points { d.circle(x(p.timesteps), yAcc(p.accuracy), r: 3, fill: "#1f77b4") }
        let streaming = points.compactMap { p in p.streamingAccuracy.map { (x(p.timesteps), yAcc($0)) } }
        if !streaming.isEmpty {
            d.polyline(streaming, stroke: "#2ca02c")
            d.text(left + 10, top + 32, "— SNN streaming accuracy", size: 11, fill: "#2ca02c")
        }
        d.polyline(points.map { (x($0.timesteps), yRate($0.spikeRate)) }, stroke: "#d62728")
        for p in points { d.circle(x(p.timesteps), yRate(p.spikeRate), r: 3, fill: "#d62728") }
        d.text(left + 10, top + 4, "— QNN = SNN layer-wise accuracy", size: 11, fill: "#1f77b4")
        d.text(left + 10, top + 18, "— spike rate", size: 11, fill: "#d62728")
        return d.render()
    }
}
