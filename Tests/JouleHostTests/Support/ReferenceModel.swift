import JouleCore
import JouleHost

/// A straightforward, independently written reference of the integer model in `Models/README.md`:
/// PyTorch-layout weights, gather loops over every output neuron, 64-bit (and wider-checked)
/// arithmetic, floor division by division — no shifts, no packing, no scatter, no arena.
/// Counters are brute-force counts over (output neuron, kernel tap) pairs.
struct ReferenceModel {
    let model: PackableModel

    struct Output {
        /// Per layer: output values in CHW (codes, spike counts, or spike maps summed over time).
        var layerValues: [[Int]] = []
        var scores: [Int64] = []
        var counters: [EventCounters] = []
    }

    static func floorDiv(_ a: Int64, _ d: Int64) -> Int64 {
        let q = a / d
        return (a % d != 0 && (a < 0) != (d < 0)) ? q - 1 : q
    }

    static func codeBits(_ t: Int) -> Int {
        var b = 0
        while (1 << b) <= t { b += 1 }
        return b
    }

    /// Weight of output `o` at input tap (ci, ky, kx) in PyTorch layout (linear: ky = y, kx = x).
    func weight(_ l: PackableLayer, _ o: Int, _ ci: Int, _ ky: Int, _ kx: Int) -> Int {
        if l.kind == .linear { return Int(l.weights[o * l.inputCount + (ci * l.inH + ky) * l.inW + kx]) }
        return Int(l.weights[((o * l.inC + ci) * l.kernelH + ky) * l.kernelW + kx])
    }

    /// Valid taps of output pixel (oy, ox): (ci, ky, kx, input index).
    func taps(_ l: PackableLayer, _ oy: Int, _ ox: Int) -> [(ci: Int, ky: Int, kx: Int, index: Int)] {
        var result: [(Int, Int, Int, Int)] = []
        let (kh, kw, sh, sw, ph, pw) = l.kind == .linear ? (l.inH, l.inW, 1, 1, 0, 0)
            : (l.kernelH, l.kernelW, l.strideH, l.strideW, l.padH, l.padW)
        for ci in 0..<l.inC {
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let iy = oy * sh - ph + ky, ix = ox * sw - pw + kx
                    if iy >= 0, iy < l.inH, ix >= 0, ix < l.inW {
                        result.append((ci, ky, kx, (ci * l.inH + iy) * l.inW + ix))
                    }
                }
            }
        }
        return result
    }

    /// Window of output `o` (CHW) of a pooling layer: input indices.
    func window(_ l: PackableLayer, _ o: Int) -> [Int] {
        let c = o / (l.outH * l.outW), oy = (o / l.outW) % l.outH, ox = o % l.outW
        var result: [Int] = []
        for ky in 0..<l.kernelH {
            for kx in 0..<l.kernelW {
                result.append((c * l.inH + oy * l.strideH + ky) * l.inW + ox * l.strideW + kx)
            }
        }
        return result
    }

    func source(_ values: [[Int]], _ input: [UInt8], _ index: Int) -> [Int] {
        index < 0 ? input.map(Int.init) : values[index]
    }

    /// The QNN, or equally the layer-wise SNN (`snn: true` changes only the counters).
    func run(input: [UInt8], timesteps t: Int, snn: Bool = false, spikeReadout: Bool = false) -> Output {
        var out = Output()
        let bits = Self.codeBits(t)
        let steps = UInt64(t)
        for l in model.layers {
            var c = EventCounters()
            let x = source(out.layerValues, input, l.inputIndex)
            let analog = l.inputIndex < 0
            let inBits = analog ? 8 : bits
            let n = l.outputCount
            var values = Array(repeating: 0, count: n)
            switch l.kind {
            case .conv2d, .linear:
                let k: Int64 = analog ? Int64(t) : 1
                let residual = l.residualIndex >= 0 ? out.layerValues[l.residualIndex] : nil
                for oy in 0..<l.outH {
                    for ox in 0..<l.outW {
                        let tapList = taps(l, oy, ox)
                        for o in 0..<l.outC {
                            var acc: Int64 = 0
                            for tap in tapList {
                                let w = weight(l, o, tap.ci, tap.ky, tap.kx)
                                acc += Int64(w) * Int64(x[tap.index])
                                c.denseSynapticOps += snn && !analog ? steps : 1
                                if w != 0 && x[tap.index] != 0 {
                                    if !snn || analog { c.effectiveMACs += 1 } else { c.effectiveACs += UInt64(x[tap.index]) }
                                }
                            }
                            let j = (o * l.outH + oy) * l.outW + ox
                            let r = Int64(residual?[j] ?? 0)
                            let a = Int64(l.multipliers[o]) * acc * k + Int64(t) * l.biases[o] + r * (Int64(1) << Int64(l.shift))
                            if l.activation == .none {
                                out.scores.append(snn && spikeReadout
                                    ? min(max(Self.floorDiv(a, Int64(1) << Int64(l.shift)), 0), Int64(t)) : a)
                            } else {
                                values[j] = Int(min(max(Self.floorDiv(a, Int64(1) << Int64(l.shift)), 0), Int64(t)))
                            }
                        }
                        // Weight rows read: one per non-zero visit (QNN, analog) or per spike and tap.
                        for tap in tapList where x[tap.index] != 0 {
                            let times = snn && !analog ? UInt64(x[tap.index]) : 1
                            c.weightReadBits += times * UInt64(l.outC * l.weightBits)
                        }
                        if !snn || analog { c.activationReadBits += UInt64(tapList.count * inBits) }
                    }
                }
                if let residual {
                    let nonZero = UInt64(residual.filter { $0 != 0 }.count)
                    let sum = UInt64(residual.reduce(0, +))
                    c.inputEvents += snn ? sum : nonZero
                    c.effectiveACs += snn ? sum : nonZero
                    c.activationReadBits += snn ? steps * UInt64(n) : UInt64(n * bits)
                    c.inputTrafficBits += snn ? steps * UInt64(n) : UInt64(n * bits)
                }
            case .avgPool, .maxPool:
                for o in 0..<n {
                    let win = window(l, o).map { x[$0] }
                    values[o] = l.kind == .avgPool ? win.reduce(0, +) / win.count : win.max()!
                    c.denseSynapticOps += UInt64(win.count) * (snn ? steps : 1)
                    c.effectiveACs += snn ? UInt64(win.reduce(0, +)) : UInt64(win.filter { $0 != 0 }.count)
                    if !snn { c.activationReadBits += UInt64(win.count * inBits) }
                }
            }
            c.inputEvents += snn && !analog ? UInt64(x.reduce(0, +)) : UInt64(x.filter { $0 != 0 }.count)
            if snn && !analog {
                c.activationReadBits += steps * UInt64(x.count)
                c.inputTrafficBits += steps * UInt64(x.count)
            } else {
                c.inputTrafficBits += UInt64(x.count * inBits)
            }
            let updated = l.activation == .none ? l.outC : n
            c.neuronUpdates = snn ? steps * UInt64(updated) : UInt64(updated)
            if snn { c.membraneReads = c.neuronUpdates; c.membraneWrites = c.neuronUpdates }
            if l.activation == .none {
                c.activationWriteBits = UInt64(l.outC * 32)
                if snn && spikeReadout {
                    c.outputEvents = UInt64(out.scores.reduce(0, +))
                    c.outputLevelSum = c.outputEvents
                }
            } else {
                c.outputEvents = snn ? UInt64(values.reduce(0, +)) : UInt64(values.filter { $0 != 0 }.count)
                c.outputLevelSum = UInt64(values.reduce(0, +))
                c.activationWriteBits = snn ? steps * UInt64(n) : UInt64(n * bits)
            }
            c.outputTrafficBits = c.activationWriteBits
            out.layerValues.append(values)
            out.counters.append(c)
        }
        return out
    }

    /// The streaming SNN, simulated step by step with dense gather loops. Leaky neurons
    /// (`NeuronModel`) as its contract states them: decay `⌊V · m / 2^s⌋` computed in 128 bits,
    /// the delayed reset from the previous step's spike.
    func runStreaming(input: [UInt8], timesteps t: Int, spikeReadout: Bool = false) -> Output {
        let layers = model.layers
        var membranes = layers.map { Array(repeating: Int64(0), count: $0.outputCount) }
        var lastSpikes = layers.map { Array(repeating: false, count: $0.outputCount) }
        var currents = layers.map { Array(repeating: Int64(0), count: $0.outputCount) }
        var seen = layers.map { Array(repeating: 0, count: $0.inputCount) }
        var emitted = layers.map { Array(repeating: 0, count: $0.outputCount) }
        var maps = layers.map { Array(repeating: 0, count: $0.outputCount) }
        var spikeTotals = layers.map { Array(repeating: 0, count: $0.outputCount) }
        var counters = Array(repeating: EventCounters(), count: layers.count)
        var scores = Array(repeating: Int64(0), count: layers.last!.outC)
        for step in 0..<t {
            for (i, l) in layers.enumerated() {
                var c = EventCounters()
                let analog = l.inputIndex < 0
                let x = l.inputIndex < 0 ? input.map(Int.init) : maps[l.inputIndex]
                let n = l.outputCount
                let isScores = l.activation == .none
                switch l.kind {
                case .conv2d, .linear:
                    let threshold = Int64(1) << Int64(l.shift)
                    for oy in 0..<l.outH {
                        for ox in 0..<l.outW {
                            let tapList = taps(l, oy, ox)
                            for o in 0..<l.outC {
                                let j = (o * l.outH + oy) * l.outW + ox
                                var current: Int64
                                if analog {
                                    if step == 0 {
                                        var acc: Int64 = 0
                                        for tap in tapList {
                                            let w = weight(l, o, tap.ci, tap.ky, tap.kx)
                                            acc += Int64(w * x[tap.index])
                                            c.denseSynapticOps += 1
                                            if w != 0 && x[tap.index] != 0 { c.effectiveMACs += 1 }
                                        }
                                        currents[i][j] = Int64(l.multipliers[o]) * acc + l.biases[o]
                                    }
                                    current = currents[i][j]
                                } else {
                                    var acc: Int64 = 0
                                    for tap in tapList {
                                        let w = weight(l, o, tap.ci, tap.ky, tap.kx)
                                        acc += Int64(w * x[tap.index])
                                        c.denseSynapticOps += 1
                                        if w != 0 && x[tap.index] != 0 { c.effectiveACs += 1 }
                                    }
                                    let r = l.residualIndex >= 0 ? Int64(maps[l.residualIndex][j]) : 0
                                    current = Int64(l.multipliers[o]) * acc + l.biases[o] + r * threshold
                                }
                                let neuron = l.neuron
                                if !neuron.isIntegrateAndFire {
                                    let delayed = neuron.flags & NeuronModel.resetAfterLeak != 0
                                    let toZero = neuron.flags & NeuronModel.resetToZero != 0
                                    var v = delayed && toZero && lastSpikes[i][j] ? 0 : membranes[i][j]
                                    if neuron.leakShift > 0 {
                                        v = Int64((Int128(v) * Int128(neuron.leakMultiplier)) >> neuron.leakShift)
                                    }
                                    v += current
                                    if delayed && !toZero && lastSpikes[i][j] { v -= threshold }
                                    let strict = neuron.flags & NeuronModel.fireAboveThreshold != 0
                                    let fires = (!isScores || spikeReadout) && (strict ? v > threshold : v >= threshold)
                                    membranes[i][j] = fires && !delayed ? (toZero ? 0 : v - threshold) : v
                                    lastSpikes[i][j] = fires
                                    let spike = fires ? 1 : 0
                                    if isScores { if spikeReadout { scores[o] += Int64(spike) } else { scores[o] = v } }
                                    else { maps[i][j] = spike }
                                    c.outputEvents += UInt64(spike)
                                    continue
                                }
                                if isScores && !spikeReadout {
                                    scores[o] += current
                                    continue
                                }
                                membranes[i][j] += current
                                var spike = 0
                                if membranes[i][j] >= threshold { membranes[i][j] -= threshold; spike = 1 }
                                if isScores { scores[o] += Int64(spike) } else { maps[i][j] = spike }
                                c.outputEvents += UInt64(spike)
                            }
                            if !analog || step == 0 {
                                for tap in tapList where x[tap.index] != 0 {
                                    c.weightReadBits += UInt64(l.outC * l.weightBits)
                                }
                            }
                            if analog && step == 0 { c.activationReadBits += UInt64(tapList.count * 8) }
                        }
                    }
                    if analog {
                        if step == 0 {
                            c.inputEvents = UInt64(x.filter { $0 != 0 }.count)
                            c.inputTrafficBits = UInt64(x.count * 8)
                        }
                    } else {
                        c.inputEvents = UInt64(x.reduce(0, +))
                        c.activationReadBits += UInt64(x.count)
                        c.inputTrafficBits += UInt64(x.count)
                    }
                    if l.residualIndex >= 0 {
                        let spikes = UInt64(maps[l.residualIndex].reduce(0, +))
                        c.inputEvents += spikes
                        c.effectiveACs += spikes
                        c.activationReadBits += UInt64(n)
                        c.inputTrafficBits += UInt64(n)
                    }
                case .avgPool, .maxPool:
                    if l.kind == .maxPool { for k in 0..<x.count { seen[i][k] += x[k] } }
                    for o in 0..<n {
                        let win = window(l, o)
                        var spike = 0
                        if l.kind == .avgPool {
                            membranes[i][o] += Int64(win.map { x[$0] }.reduce(0, +))
                            if membranes[i][o] >= Int64(win.count) { membranes[i][o] -= Int64(win.count); spike = 1 }
                        } else if win.map({ seen[i][$0] }).max()! > emitted[i][o] {
                            emitted[i][o] += 1
                            spike = 1
                        }
                        maps[i][o] = spike
                        c.outputEvents += UInt64(spike)
                        c.denseSynapticOps += UInt64(win.count)
                        c.effectiveACs += UInt64(win.map { x[$0] }.reduce(0, +))
                    }
                    c.inputEvents = UInt64(x.reduce(0, +))
                    c.activationReadBits = UInt64(x.count)
                    c.inputTrafficBits = UInt64(x.count)
                }
                let updated = isScores ? l.outC : n
                if l.neuron.leakShift > 0 { c.leakUpdates = UInt64(updated) }
                c.neuronUpdates = UInt64(updated)
                c.membraneReads = UInt64(updated)
                c.membraneWrites = UInt64(updated)
                if isScores {
                    if step == t - 1 { c.activationWriteBits = UInt64(l.outC * 32) }
                } else {
                    c.activationWriteBits = UInt64(n)
                    for j in 0..<n { spikeTotals[i][j] += maps[i][j] }
                }
                c.outputTrafficBits = c.activationWriteBits
                c.outputLevelSum = c.outputEvents
                counters[i].add(c)
            }
        }
        return Output(layerValues: spikeTotals, scores: scores, counters: counters)
    }
}
