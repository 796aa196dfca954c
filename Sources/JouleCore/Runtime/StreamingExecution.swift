/// SNN, streaming schedule: all layers advance one timestep at a time, as neuromorphic hardware
/// does. Every layer keeps its state for the whole run at the narrowest exact width
/// (`Spiking/StreamingState.swift`: membrane sums and spike counts, the analog first layer's spike
/// train, pooling membranes) and writes a spike map (`SpikeBits`, 1 bit per neuron) that its
/// consumers read in the same timestep; each step touches only the weight rows of the inputs
/// that spiked in it. Reset by subtraction, threshold `2^S` (weighted layers) or `kh·kw` (average
/// pooling); max pooling emits a spike whenever the running maximum of its inputs' spike counts
/// grows. Results approach, but need not equal, the QNN's. Layers of leaky neurons
/// (`NeuronModel`) keep their membranes whole (`streamLeaky`).
extension Interpreter {
    func runStreaming(timesteps t: Int, readout: Readout, counters: UnsafeMutableBufferPointer<EventCounters>,
                      afterLayer: (Int) -> Void) {
        let layerCount = model.layerCount
        // Start from rest: membranes, counts and scores at zero.
        for i in 0..<layerCount {
            let layer = model.layer(i)
            let form = StreamingState.form(layer, timesteps: t, stateBytes: plan.region(.state, layer: i).bytes)
            bytes(.state, layer: i).initialize(repeating: 0, count: StreamingState.bytes(form, layer, timesteps: t))
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
                    if !layer.neuron.isIntegrateAndFire {
                        streamLeaky(layer, index: i, step: step, timesteps: t, readout: readout, counters: &c)
                    } else if layer.readsModelInput {
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
        let trains = StreamingState.form(layer, timesteps: t, stateBytes: plan.region(.state, layer: i).bytes) == .trains
        let mapBytes = SpikeBits.bytes(count: n), stride = mapBytes
        let accumulators = UnsafeMutableRawPointer(state).assumingMemoryBound(to: Int32.self)
        if step == 1 {
            gatherModelInput(w, layer, index: i, counters: &c) { pixel, acc in
                if trains {
                    StreamingInput.writeTrains(pixel: pixel, outC: outC, timesteps: t, shift: s, stride: stride,
                                               trains: state) { j in
                        w.preActivation(channel: j, acc: acc[j], k: 1, timesteps: 1, residual: 0)
                    }
                } else {
                    for j in 0..<outC { accumulators[pixel &* outC &+ j] = acc[j] }
                }
            }
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
                writer.append(UInt(truncatingIfNeeded: spike))
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
        let form = StreamingState.form(layer, timesteps: t, stateBytes: plan.region(.state, layer: i).bytes)
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
        scatterInputSpikes(w, layer, into: state, narrow: split != nil, counters: &c)
        if let residual, let counts = neurons.residualCounts {
            var spikes: UInt64 = 0
            SpikeBits.forEachSpike(residual, count: n) { o in
                counts[o] &+= 1
                spikes &+= 1
            }
            addResidualCounters(spikes: spikes, neurons: n, into: &c)
        }
        let spikes: UInt64
        if layer.activation == .none {
            spikes = neurons.score(step: step, readout: readout, into: int64s(.output, layer: i))
        } else if !InstructionSet.laneNeuronUpdate && residual == nil
                    && plan.region(.scratch, layer: i).bytes >= StreamingNeurons.thresholdTableBytes(layer, timesteps: step) {
            spikes = neurons.fireByThresholds(step: step, table: int32s(.scratch, layer: i), into: bytes(.output, layer: i))
        } else {
            spikes = neurons.fire(step: step, into: bytes(.output, layer: i))
        }
        setNeuronCounters(layer, spikes: spikes, step: step, timesteps: t, counters: &c)
    }

    /// A weighted layer of leaky neurons (`LeakyNeurons`): its step's input (the model input's
    /// accumulators, gathered at step 1, or this step's input spikes scattered into the step
    /// sums), then every neuron's decay, integration and compare. Counters as for
    /// integrate-and-fire, plus one leak update per neuron and step where the membrane decays.
    func streamLeaky(_ layer: LayerRecord, index i: Int, step: Int, timesteps t: Int,
                     readout: Readout, counters c: inout EventCounters) {
        let w = WeightedLayer(layer, in: model)
        let n = layer.outputCount, outC = layer.outC
        // Int16 step sums in the narrow `.leaky` form; int32 sums or the input layer's int32 `acc` else.
        var sumBytes = 4
        if case .leaky(let bytes) = StreamingState.form(layer, timesteps: t, stateBytes: plan.region(.state, layer: i).bytes) {
            sumBytes = bytes
        }
        let state = pointer(.state, layer: i)
        let sums = state + n &* StreamingState.leakyMembraneBytes
        let residual = residual(of: layer)
        if layer.readsModelInput {
            if step == 1 {
                let accumulators = sums.assumingMemoryBound(to: Int32.self)
                gatherModelInput(w, layer, index: i, counters: &c) { pixel, acc in
                    for j in 0..<outC { accumulators[pixel &* outC &+ j] = acc[j] }
                }
            }
        } else {
            scatterInputSpikes(w, layer, into: sums, narrow: sumBytes == 2, counters: &c)
        }
        if let residual {
            addResidualCounters(spikes: SpikeBits.population(residual, count: n), neurons: n, into: &c)
        }
        let neurons = LeakyNeurons(
            w: w, neuron: layer.neuron, membranes: state, sums: sums, sumBytes: sumBytes,
            clearsSums: !layer.readsModelInput,
            fired: (sums + n &* sumBytes).assumingMemoryBound(to: UInt8.self), residual: residual)
        let spikes = layer.activation == .none ? neurons.score(readout: readout, into: int64s(.output, layer: i))
            : neurons.fire(into: bytes(.output, layer: i))
        setNeuronCounters(layer, spikes: spikes, step: step, timesteps: t, counters: &c)
        if layer.neuron.leaks { c.leakUpdates = UInt64(widening: n) }
    }

    /// Step 1 of a weighted layer reading the model input: its accumulators gathered pixel by
    /// pixel into `body` (`acc`: `outC` int32), counted as the multiplies they are.
    @inline(__always)
    func gatherModelInput(_ w: WeightedLayer, _ layer: LayerRecord, index i: Int, counters c: inout EventCounters,
                          _ body: (Int, UnsafeMutablePointer<Int32>) -> Void) {
        let src = source(of: layer)
        c.denseSynapticOps = w.denseSynapticOps()
        c.inputEvents = ByteCounts.nonZeroAndSum(src, count: layer.inputCount).nonZero
        c.inputTrafficBits = UInt64(widening: layer.inputCount * 8)
        var tally = WeightedLayer.EventTally()
        w.gather(input: src, acc: int32s(.scratch, layer: i), tally: &tally, body)
        setGatheredCounters(w, tally: tally, inputBits: 8, into: &c)
    }

    /// This step's input spikes added into `sums` (channels-last, int16 where `narrow`, else
    /// int32), with the counters of a weighted layer fed by spikes: its synapses, its input map read.
    @inline(__always)
    func scatterInputSpikes(_ w: WeightedLayer, _ layer: LayerRecord, into sums: UnsafeMutableRawPointer, narrow: Bool,
                            counters c: inout EventCounters) {
        var tally = WeightedLayer.EventTally()
        if narrow {
            w.scatterSpikes(source(of: layer), into: sums.assumingMemoryBound(to: Int16.self), tally: &tally)
        } else {
            w.scatterSpikes(source(of: layer), into: sums.assumingMemoryBound(to: Int32.self), tally: &tally)
        }
        setSpikeTrainCounters(w, tally: tally, into: &c)
        c.denseSynapticOps = w.denseSynapticOps()
        c.activationReadBits = UInt64(widening: layer.inputCount)
        c.inputTrafficBits = UInt64(widening: layer.inputCount)
    }

    /// The counters of `spikes` residual spikes added to `neurons` membranes (the residual map read).
    @inline(__always)
    func addResidualCounters(spikes: UInt64, neurons n: Int, into c: inout EventCounters) {
        c.inputEvents &+= spikes
        c.effectiveACs &+= spikes
        c.activationReadBits &+= UInt64(widening: n)
        c.inputTrafficBits &+= UInt64(widening: n)
    }
}
