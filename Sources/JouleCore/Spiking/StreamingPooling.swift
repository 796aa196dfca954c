/// The streaming schedule's pooling layers, over channels-last spike maps (`SpikeBits`).
///
/// Average pooling integrates its window's spikes and fires at `kh · kw` (reset by
/// subtraction), so its membrane stays below the window. For windows of 1, 2, 4 or 8 inputs the
/// membrane is `k = log2(window)` bit planes (`StreamingState.Form.poolingBits`) and up to 56
/// neurons of a pixel are updated at once, bit-sliced: the window's spike maps are added into a
/// `(k + 1)`-bit counter, the membrane on top; bit `k` of the sum is the spike, the low `k` bits
/// the new membrane. Other windows keep a byte or int32 membrane per neuron. Max pooling emits a
/// spike whenever the running maximum of its inputs' spike counts grows.
extension Interpreter {
    /// The counters of a pooling layer's step.
    func setPoolingCounters(_ layer: LayerRecord, inputSpikes: UInt64, visits: UInt64, spikes: UInt64,
                            counters c: inout EventCounters) {
        let n = UInt64(widening: layer.outputCount), nIn = UInt64(widening: layer.inputCount)
        c.inputEvents = inputSpikes
        c.effectiveACs = visits
        c.denseSynapticOps = n &* UInt64(widening: layer.kernelH * layer.kernelW)
        c.activationReadBits = nIn
        c.inputTrafficBits = nIn
        c.neuronUpdates = n
        c.membraneReads = n
        c.membraneWrites = n
        c.outputEvents = spikes
        c.outputLevelSum = spikes
        c.activationWriteBits = n
        c.outputTrafficBits = n
    }

    /// Calls `body(o, chunk, window)` for every run of `chunk` ≤ 56 output neurons from `o`
    /// (channels-last, one pixel's channels in order) of pooling layer `layer`, with `window(k)`
    /// the spikes of those channels at tap `k` (row-major in the window) in the input map `src`.
    @inline(__always)
    func forEachPoolChunk(_ layer: LayerRecord, _ src: UnsafePointer<UInt8>,
                          _ body: (Int, Int, (Int) -> UInt64) -> Void) {
        let channels = layer.outC, mapBytes = SpikeBits.bytes(count: layer.inputCount)
        for oy in 0..<layer.outH {
            for ox in 0..<layer.outW {
                let pixel = oy &* layer.outW &+ ox
                var c0 = 0
                while c0 < channels {
                    let chunk = min(56, channels &- c0)
                    body(pixel &* channels &+ c0, chunk) { k in
                        let ky = k / layer.kernelW, kx = k &- ky &* layer.kernelW
                        let inPixel = (oy &* layer.strideH &+ ky) &* layer.inW &+ ox &* layer.strideW &+ kx
                        return SpikeBits.load(src, start: inPixel &* channels &+ c0, count: chunk, mapBytes: mapBytes)
                    }
                    c0 &+= chunk
                }
            }
        }
    }

    func streamAveragePooling(_ layer: LayerRecord, index i: Int, timesteps t: Int, counters c: inout EventCounters) {
        let form = StreamingState.form(layer, timesteps: t, stateBytes: plan.region(.state, layer: i).bytes)
        if case .poolingBits(let planes) = form {
            streamAveragePoolingBits(layer, index: i, planes: planes, counters: &c)
            return
        }
        let n = layer.outputCount, window = layer.kernelH * layer.kernelW
        let src = source(of: layer)
        let state = pointer(.state, layer: i)
        // Sum the window into the membranes (they hold below 2 · window), then fire them.
        var visits: UInt64 = 0
        let byteMembranes = form == .pooling(membraneBytes: 1)
        let narrow = state.assumingMemoryBound(to: UInt8.self), wide = state.assumingMemoryBound(to: Int32.self)
        forEachPoolChunk(layer, src) { first, _, window in
            for k in 0..<(layer.kernelH * layer.kernelW) {
                var b = window(k)
                visits &+= UInt64(widening: b.nonzeroBitCount)
                while b != 0 {
                    let o = first &+ b.trailingZeroBitCount
                    if byteMembranes { narrow[o] &+= 1 } else { wide[o] &+= 1 }
                    b &= b &- 1
                }
            }
        }
        var writer = SpikeMapWriter(bytes(.output, layer: i))
        var spikes: UInt64 = 0
        for o in 0..<n {
            var spike: UInt64 = 0
            if byteMembranes {
                if Int(narrow[o]) >= window { narrow[o] &-= UInt8(truncatingIfNeeded: window); spike = 1 }
            } else if Int(wide[o]) >= window {
                wide[o] &-= Int32(truncatingIfNeeded: window); spike = 1
            }
            spikes &+= spike
            writer.append(UInt(truncatingIfNeeded: spike))
        }
        writer.finish()
        setPoolingCounters(layer, inputSpikes: SpikeBits.population(src, count: layer.inputCount), visits: visits,
                           spikes: spikes, counters: &c)
    }

    /// Average pooling over a window of `2^planes` (≤ 8) inputs with bit-plane membranes.
    func streamAveragePoolingBits(_ layer: LayerRecord, index i: Int, planes k: Int, counters c: inout EventCounters) {
        let n = layer.outputCount, taps = layer.kernelH * layer.kernelW
        let src = source(of: layer)
        let state = bytes(.state, layer: i)
        let mapBytes = SpikeBits.bytes(count: n), planeBytes = mapBytes
        var out = SpikeMapWriter(bytes(.output, layer: i))
        // One in-place writer per membrane plane: each writes a word only after its bits were read.
        var plane0 = SpikeMapWriter(state), plane1 = SpikeMapWriter(state + planeBytes)
        var plane2 = SpikeMapWriter(state + 2 &* planeBytes)
        var visits: UInt64 = 0, spikes: UInt64 = 0
        forEachPoolChunk(layer, src) { first, chunk, window in
            // Bit-sliced counter: bit b of every lane's count in count[b].
            var count = SIMD4<UInt64>()
            for tap in 0..<taps {
                var carry = window(tap)
                visits &+= UInt64(widening: carry.nonzeroBitCount)
                var b = 0
                while b <= k && carry != 0 {
                    let next = count[b] & carry
                    count[b] ^= carry
                    carry = next
                    b &+= 1
                }
            }
            // Add the membrane (k bits) on top; the sum stays below 2 · window, so bit k is the spike.
            var carry: UInt64 = 0
            for b in 0..<k {
                let m = SpikeBits.load(UnsafePointer(state + b &* planeBytes), start: first, count: chunk, mapBytes: mapBytes)
                let sum = count[b] ^ m ^ carry
                carry = (count[b] & m) | (carry & (count[b] ^ m))
                count[b] = sum
            }
            count[k] |= carry
            let fired = count[k]
            spikes &+= UInt64(widening: fired.nonzeroBitCount)
            out.append(bits: fired, count: chunk)
            if k > 0 { plane0.append(bits: count[0], count: chunk) }
            if k > 1 { plane1.append(bits: count[1], count: chunk) }
            if k > 2 { plane2.append(bits: count[2], count: chunk) }
        }
        out.finish()
        plane0.finish()
        plane1.finish()
        plane2.finish()
        setPoolingCounters(layer, inputSpikes: SpikeBits.population(src, count: layer.inputCount), visits: visits,
                           spikes: spikes, counters: &c)
    }

    func streamMaxPooling(_ layer: LayerRecord, index i: Int, counters c: inout EventCounters) {
        let nIn = layer.inputCount, channels = layer.outC
        let src = source(of: layer)
        // State: running input spike counts (channels-last, nIn bytes), then emitted counts (n bytes).
        let seen = bytes(.state, layer: i)
        let emitted = seen + PackedFormat.aligned(nIn)
        var inputSpikes: UInt64 = 0
        SpikeBits.forEachSpike(src, count: nIn) { k in
            seen[k] &+= 1
            inputSpikes &+= 1
        }
        // One compare per input spike per window it belongs to.
        var visits: UInt64 = 0
        forEachPoolChunk(layer, src) { _, _, window in
            for k in 0..<(layer.kernelH * layer.kernelW) { visits &+= UInt64(widening: window(k).nonzeroBitCount) }
        }
        var writer = SpikeMapWriter(bytes(.output, layer: i))
        var spikes: UInt64 = 0
        for oy in 0..<layer.outH {
            for ox in 0..<layer.outW {
                for ch in 0..<channels {
                    var largest: UInt8 = 0
                    for ky in 0..<layer.kernelH {
                        for kx in 0..<layer.kernelW {
                            let inPixel = (oy &* layer.strideH &+ ky) &* layer.inW &+ ox &* layer.strideW &+ kx
                            largest = max(largest, seen[inPixel &* channels &+ ch])
                        }
                    }
                    let o = (oy &* layer.outW &+ ox) &* channels &+ ch
                    let spike: UInt8 = largest > emitted[o] ? 1 : 0
                    emitted[o] &+= spike
                    spikes &+= UInt64(widening: spike)
                    writer.append(UInt(spike))
                }
            }
        }
        writer.finish()
        setPoolingCounters(layer, inputSpikes: inputSpikes, visits: visits, spikes: spikes, counters: &c)
    }
}
