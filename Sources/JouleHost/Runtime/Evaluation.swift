import Foundation
import JouleCore

/// Accuracy and activity of a packed model over a labelled data set, in one execution mode.
public struct Evaluation: Sendable {
    public var mode: ExecutionMode
    public var timesteps: Int
    public var images: Int
    public var correct: Int
    /// Predicted class per image, in data-set order.
    public var predictions: [UInt8]
    /// Per-layer counters summed over all images.
    public var counters: [EventCounters]
    /// Output neurons per layer (for rates).
    public var neurons: [Int]
    /// `ScoresDigest` of every image's scores, in data-set order: equal digests mean equal scores
    /// image for image (a regression record; the scores themselves are not kept).
    public var scoresDigest: UInt64

    public var accuracy: Double { Double(correct) / Double(max(1, images)) }

    /// Spike rate of layer `i`: spikes (or Σ codes) / (neurons · T · images).
    public func spikeRate(layer i: Int) -> Double {
        Double(counters[i].outputLevelSum) / Double(max(1, neurons[i] * timesteps * images))
    }

    /// Activation sparsity of layer `i`: 1 − non-zero outputs / (neurons · images) (QNN) — for the
    /// SNN, 1 − spikes / (neurons · T · images).
    public func sparsity(layer i: Int) -> Double {
        mode == .qnn ? 1 - Double(counters[i].outputEvents) / Double(max(1, neurons[i] * images))
            : 1 - spikeRate(layer: i)
    }

    /// Totals over the hidden (code-producing) layers.
    public var hiddenLayers: [Int] { neurons.indices.filter { neurons[$0] > 0 } }

    public var spikeRate: Double {
        let spikes = hiddenLayers.reduce(UInt64(0)) { $0 + counters[$1].outputLevelSum }
        let n = hiddenLayers.reduce(0) { $0 + neurons[$1] }
        return Double(spikes) / Double(max(1, n * timesteps * images))
    }

    public var sparsity: Double {
        let n = hiddenLayers.reduce(0) { $0 + neurons[$1] }
        if mode != .qnn { return 1 - spikeRate }
        let active = hiddenLayers.reduce(UInt64(0)) { $0 + counters[$1].outputEvents }
        return 1 - Double(active) / Double(max(1, n * images))
    }

    /// Runs the first `limit` images (all when nil) on `threads` threads, each with its own arena.
    public static func run(file: PackedModelFile, mode: ExecutionMode, timesteps: Int, dataset: IDXDataset,
                           limit: Int? = nil, threads: Int = 1, readout: Readout = .membrane,
                           progress: @escaping @Sendable (Int) -> Void = { _ in }) throws -> Evaluation {
        let m = file.model
        guard m.inputChannels == 1 else {
            throw JouleHostError("\(file.path): data set images have 1 channel, the model expects \(m.inputChannels)")
        }
        let count = min(limit ?? dataset.count, dataset.count)
        let workers = max(1, min(threads, count))
        let results = ResultBox(count: count, layers: m.layerCount, workers: workers)
        let errors = ResultBox.ErrorSlot()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            do {
                let runner = try ModelRunner(file: file, mode: mode)
                var sums = Array(repeating: EventCounters(), count: m.layerCount)
                var done = 0
                for i in stride(from: w, to: count, by: workers) {
                    let input = try dataset.input(i, height: m.inputHeight, width: m.inputWidth)
                    let r = try runner.run(input: input, timesteps: timesteps, readout: readout)
                    results.setPrediction(i, UInt8(r.predictedClass), digest: ScoresDigest.of(r.scores))
                    for k in sums.indices { sums[k].add(r.counters[k]) }
                    done += 1
                    if w == 0 { progress(done * workers) }
                }
                results.setCounters(w, sums)
            } catch {
                errors.set(error)
            }
        }
        if let error = errors.error { throw error }
        let predictions = results.predictions
        var counters = Array(repeating: EventCounters(), count: m.layerCount)
        for part in results.counters { for k in counters.indices { counters[k].add(part[k]) } }
        let correct = (0..<count).filter { predictions[$0] == dataset.labels[$0] }.count
        let neurons = (0..<m.layerCount).map { m.layer($0).activation == .quant ? m.layer($0).outputCount : 0 }
        return Evaluation(mode: mode, timesteps: timesteps, images: count, correct: correct,
                          predictions: predictions, counters: counters, neurons: neurons,
                          scoresDigest: ScoresDigest.combine(results.digests))
    }
}

/// Thread-safe collection of per-worker results.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var predictions: [UInt8]
    private(set) var digests: [UInt64]
    private(set) var counters: [[EventCounters]]

    init(count: Int, layers: Int, workers: Int) {
        predictions = Array(repeating: 0, count: count)
        digests = Array(repeating: 0, count: count)
        counters = Array(repeating: Array(repeating: EventCounters(), count: layers), count: workers)
    }

    func setPrediction(_ i: Int, _ p: UInt8, digest: UInt64) {
        lock.lock(); predictions[i] = p; digests[i] = digest; lock.unlock()
    }
    func setCounters(_ w: Int, _ c: [EventCounters]) { lock.lock(); counters[w] = c; lock.unlock() }

    final class ErrorSlot: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var error: Error?
        func set(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    }
}

/// FNV-1a (64-bit) digests of scores: `of` hashes one image's int64 scores (little-endian bytes,
/// in output order), `combine` hashes a sequence of such digests (little-endian, in order).
public enum ScoresDigest {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    static func hash(_ words: [UInt64]) -> UInt64 {
        var h = offsetBasis
        for word in words {
            for byte in 0..<8 {
                h = (h ^ (word >> UInt64(8 * byte) & 0xff)) &* prime
            }
        }
        return h
    }

    public static func of(_ scores: [Int64]) -> UInt64 { hash(scores.map { UInt64(bitPattern: $0) }) }
    public static func combine(_ digests: [UInt64]) -> UInt64 { hash(digests) }
}
