/// SNN, streaming schedule: all layers advance one timestep at a time, as neuromorphic hardware
/// does. Every layer keeps its state for the whole run at the narrowest exact width
/// (`Spiking/StreamingState.swift`: membrane sums and spike counts, the analog first layer's spike
/// train, pooling membranes) and writes a spike map (`SpikeBits`, 1 bit per neuron) that its
/// consumers read in the same timestep; each step touches only the weight rows of the inputs
/// that spiked in it. Reset by subtraction, threshold `2^S` (weighted layers) or `kh·kw` (average
/// pooling); max pooling emits a spike whenever the running maximum of its inputs' spike counts
/// grows. Results approach, but need not equal, the QNN's.
extension Interpreter {
    func runStreaming(timesteps t: Int, readout: Readout, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let layerCount = model.layerCount
        // Start from rest: membranes, counts and scores at zero.
        for i in 0..<layerCount {
            let layer = model.layer(i)
            bytes(.state, layer: i).initialize(repeating: 0, count: StreamingState.bytes(layer, timesteps: t))
            if i == layerCount - 1 {
                let out = plan.region(.output, layer: i)
                (arena + out.offset).initializeMemory(as: UInt8.self, repeating: 0, count: out.bytes)
            }
            if !counters.isEmpty { counters[i] = EventCounters() }
            // The plain gather computes the analog first layer's current (once), the spike
            // scatter every other weighted layer's steps.
            log(!layer.isWeighted ? .pooling : layer.readsModelInput ? .plainGather : .plainScatter, layer: i)
        }
        for step in 1...t {
            for i in 0..<layerCount {
                var c = EventCounters()
                let layer = model.layer(i)
                switch layer.kind {
                case .conv2d, .linear:
                    if layer.readsModelInput {
                        streamInputLayer(layer, index: i, step: step, timesteps: t, readout: readout, counters: &c)
                    } else {
                        streamWeighted(layer, index: i, step: step, timesteps: t, readout: readout, counters: &c)
                    }
                case .avgPool: streamAveragePooling(layer, index: i, timesteps: t, counters: &c)
                case .maxPool: streamMaxPooling(layer, index: i, counters: &c)
                }
                if !counters.isEmpty { counters[i].add(c) }
                afterLayer(i)
            }
        }
    }

    /// The counters every streaming weighted layer adds per step: neuron updates, and its spike
    /// map (or, after the last step, its scores) written.
    func setNeuronCounters(_ layer: LayerRecord, spikes: UInt64, step: Int, timesteps t: Int, counters c: inout EventCounters) {
        let n = UInt64(widening: layer.outputCount)
        c.neuronUpdates = n
        c.membraneReads = n
        c.membraneWrites = n
        if layer.activation == .none {
            if step == t {
                c.activationWriteBits = UInt64(widening: layer.outC * 32)
                c.outputTrafficBits = c.activationWriteBits
            }
        } else {
            c.activationWriteBits = n
            c.outputTrafficBits = n
        }
        c.outputEvents = spikes
        c.outputLevelSum = spikes
    }

    /// A weighted layer reading the model input: its constant current is gathered at step 1
    /// (counted as the multiplies it is), then every step reads its spikes off the train.
    func streamInputLayer(_ layer: LayerRecord, index i: Int, step: Int, timesteps t: Int,
                          readout: Readout, counters c: inout EventCounters) {
        let w = WeightedLayer(layer, in: model)
        let outC = layer.outC, n = layer.outputCount, s = Int64(widening: layer.shift)
        let state = bytes(.state, layer: i)
        let trains = StreamingState.form(layer, timesteps: t) == .trains
        let mapBytes = SpikeBits.bytes(count: n), stride = PackedFormat.aligned(mapBytes)
        let accumulators = UnsafeMutableRawPointer(state).assumingMemoryBound(to: Int32.self)
        if step == 1 {
            let src = source(of: layer)
            c.denseSynapticOps = w.denseSynapticOps()
            c.inputEvents = ByteCounts.nonZeroAndSum(src, count: layer.inputCount).nonZero
            c.inputTrafficBits = UInt64(widening: layer.inputCount * 8)
            var tally = WeightedLayer.EventTally()
            w.gather(input: src, acc: int32s(.scratch, layer: i), tally: &tally) { pixel, acc in
                if trains {
                    StreamingInput.writeTrains(pixel: pixel, outC: outC, timesteps: t, shift: s, stride: stride,
                                               trains: state) { j in
                        w.preActivation(channel: j, acc: acc[j], k: 1, timesteps: 1, residual: 0)
                    }
                } else {
                    for j in 0..<outC { accumulators[pixel &* outC &+ j] = acc[j] }
                }
            }
            setGatheredCounters(w, tally: tally, inputBits: 8, into: &c)
        }
        var spikes: UInt64 = 0
        if trains {
            let map = bytes(.output, layer: i)
            map.update(from: state + (step - 1) * stride, count: mapBytes)
            spikes = SpikeBits.population(map, count: n)
        } else if layer.activation == .none {
            let scores = int64s(.output, layer: i)
            for j in 0..<outC {
                let current = w.preActivation(channel: j, acc: accumulators[j], k: 1, timesteps: 1, residual: 0)
                if readout == .membrane {
                    scores[j] = Int64(widening: step) &* current
                } else {
                    let fired = StreamingInput.firings(current: current, step: Int64(widening: step), shift: s)
                    spikes &+= UInt64(bitPattern: fired &- scores[j])
                    scores[j] = fired
                }
            }
        } else {
            var writer = SpikeMapWriter(bytes(.output, layer: i))
            let now = Int64(widening: step)
            for o in 0..<n {
                let current = w.preActivation(channel: o % outC, acc: accumulators[o], k: 1, timesteps: 1, residual: 0)
                let spike = StreamingInput.firings(current: current, step: now, shift: s)
                    &- StreamingInput.firings(current: current, step: now &- 1, shift: s)
                spikes &+= UInt64(bitPattern: spike)
                writer.append(UInt64(bitPattern: spike))
            }
            writer.finish()
        }
        setNeuronCounters(layer, spikes: spikes, step: step, timesteps: t, counters: &c)
    }

    /// A weighted layer fed by spikes: scatter this step's input spikes (and residual spikes)
    /// into the state, then update every neuron.
    func streamWeighted(_ layer: LayerRecord, index i: Int, step: Int, timesteps t: Int,
                        readout: Readout, counters c: inout EventCounters) {
        let w = WeightedLayer(layer, in: model)
        let n = layer.outputCount
        let form = StreamingState.form(layer, timesteps: t)
        let width = StreamingState.membraneBytes(form)
        var split: StreamingState.Split? = nil
        if case .split(let constants) = form { split = constants }
        let state = pointer(.state, layer: i)
        let residual = residual(of: layer)
        let neurons = StreamingNeurons(
            w: w, split: split, membranes: state,
            counts: (state + StreamingState.countsOffset(layer, membraneBytes: width)).assumingMemoryBound(to: UInt8.self),
            residualCounts: residual == nil ? nil
                : (state + StreamingState.residualOffset(layer, membraneBytes: width)).assumingMemoryBound(to: UInt8.self))
        var tally = WeightedLayer.EventTally()
        if split != nil {
            w.scatterSpikes(source(of: layer), into: state.assumingMemoryBound(to: Int16.self), tally: &tally)
        } else {
            w.scatterSpikes(source(of: layer), into: state.assumingMemoryBound(to: Int32.self), tally: &tally)
        }
        setSpikeTrainCounters(w, tally: tally, into: &c)
        c.denseSynapticOps = w.denseSynapticOps()
        c.activationReadBits = UInt64(widening: layer.inputCount)
        c.inputTrafficBits = UInt64(widening: layer.inputCount)
        if let residual, let counts = neurons.residualCounts {
            var spikes: UInt64 = 0
            SpikeBits.forEachSpike(residual, count: n) { o in
                counts[o] &+= 1
                spikes &+= 1
            }
            c.inputEvents &+= spikes
            c.effectiveACs &+= spikes
            c.activationReadBits &+= UInt64(widening: n)
            c.inputTrafficBits &+= UInt64(widening: n)
        }
        let spikes = layer.activation == .none
            ? neurons.score(step: step, readout: readout, into: int64s(.output, layer: i))
            : neurons.fire(step: step, into: bytes(.output, layer: i))
        setNeuronCounters(layer, spikes: spikes, step: step, timesteps: t, counters: &c)
    }

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

    /// Calls `body(o, window)` for every output neuron `o` (channels-last) of pooling layer
    /// `layer` with the spikes of its window in the channels-last input map `src` this step
    /// (`window(k)` for tap `k` of `kh · kw`, row-major), eight channels at a time where they
    /// allow.
    @inline(__always)
    func forEachPoolWindow(_ layer: LayerRecord, _ src: UnsafePointer<UInt8>, _ body: (Int, Int, UInt64) -> Void) {
        let channels = layer.outC, mapBytes = SpikeBits.bytes(count: layer.inputCount)
        let taps = layer.kernelH * layer.kernelW
        for oy in 0..<layer.outH {
            for ox in 0..<layer.outW {
                let pixel = oy &* layer.outW &+ ox
                var c0 = 0
                while c0 < channels {
                    let chunk = min(56, channels &- c0)
                    for k in 0..<taps {
                        let ky = k / layer.kernelW, kx = k &- ky &* layer.kernelW
                        let inPixel = (oy &* layer.strideH &+ ky) &* layer.inW &+ ox &* layer.strideW &+ kx
                        let bits = SpikeBits.load(src, start: inPixel &* channels &+ c0, count: chunk, mapBytes: mapBytes)
                        body(pixel &* channels &+ c0, chunk, bits)
                    }
                    c0 &+= chunk
                }
            }
        }
    }

    func streamAveragePooling(_ layer: LayerRecord, index i: Int, timesteps t: Int, counters c: inout EventCounters) {
        let n = layer.outputCount, window = layer.kernelH * layer.kernelW
        let src = source(of: layer)
        let state = pointer(.state, layer: i)
        // Sum the window into the membranes (they hold below 2 · window), then fire them.
        var visits: UInt64 = 0
        let byteMembranes = StreamingState.form(layer, timesteps: t) == .pooling(membraneBytes: 1)
        if byteMembranes && layer.outC & 7 == 0 {
            streamAveragePoolingBytes(layer, index: i, counters: &c)
            return
        }
        let narrow = state.assumingMemoryBound(to: UInt8.self), wide = state.assumingMemoryBound(to: Int32.self)
        forEachPoolWindow(layer, src) { first, chunk, bits in
            var b = bits
            while b != 0 {
                let o = first &+ b.trailingZeroBitCount
                if byteMembranes { narrow[o] &+= 1 } else { wide[o] &+= 1 }
                b &= b &- 1
            }
            visits &+= UInt64(widening: bits.nonzeroBitCount)
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
            writer.append(spike)
        }
        writer.finish()
        setPoolingCounters(layer, inputSpikes: SpikeBits.population(src, count: layer.inputCount), visits: visits,
                           spikes: spikes, counters: &c)
    }

    /// Average pooling with byte membranes and whole bytes of channels (`outC` a multiple of 8):
    /// eight neurons at a time.
    func streamAveragePoolingBytes(_ layer: LayerRecord, index i: Int, counters c: inout EventCounters) {
        let src = source(of: layer)
        let membranes = bytes(.state, layer: i)
        let groups = layer.outC &>> 3, window = layer.kernelH * layer.kernelW
        let windowLanes = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: window))
        var writer = SpikeMapWriter(bytes(.output, layer: i))
        var visits: UInt64 = 0, spikes: UInt64 = 0
        for oy in 0..<layer.outH {
            for ox in 0..<layer.outW {
                let pixel = oy &* layer.outW &+ ox
                for g in 0..<groups {
                    var sum = SIMD8<Int32>()
                    for ky in 0..<layer.kernelH {
                        let row = (oy &* layer.strideH &+ ky) &* layer.inW &+ ox &* layer.strideW
                        for kx in 0..<layer.kernelW {
                            let byte = src[(row &+ kx) &* groups &+ g]
                            visits &+= UInt64(widening: byte.nonzeroBitCount)
                            sum &+= SIMD8<Int32>(widening: SpikeBits.unpackLanes(byte))
                        }
                    }
                    let o = (pixel &* groups &+ g) &* 8
                    let v = SIMD8<Int32>(widening: UnsafeRawPointer(membranes + o).loadUnaligned(as: SIMD8<UInt8>.self)) &+ sum
                    let below = (v &- windowLanes) &>> 31  // −1 below the threshold, else 0
                    let fired = SIMD8<Int32>(repeating: 1) &+ below
                    UnsafeMutableRawPointer(membranes + o).storeBytes(of: SIMD8<UInt8>(truncating: v &- (windowLanes & ~below)),
                                                                    as: SIMD8<UInt8>.self)
                    let byte = SpikeBits.packLanes(SIMD8<UInt8>(truncating: fired))
                    spikes &+= UInt64(widening: byte.nonzeroBitCount)
                    writer.appendByte(byte)
                }
            }
        }
        writer.finish()
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
        forEachPoolWindow(layer, src) { _, _, bits in visits &+= UInt64(widening: bits.nonzeroBitCount) }
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
                    writer.append(UInt64(widening: spike))
                }
            }
        }
        writer.finish()
        setPoolingCounters(layer, inputSpikes: inputSpikes, visits: visits, spikes: spikes, counters: &c)
    }
}
