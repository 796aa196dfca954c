/// The one place a weighted layer's kernel-dependent counters come from, whichever kernel ran:
/// every kernel hands over a tally of its synaptic events (`WeightedKernel.run`), and these turn
/// it into counters; the executors set the rest (inputs, traffic, neuron updates, outputs).
extension Interpreter {
    /// Sets the counters of layer `request` from its kernel's `tally`: over values
    /// (`setGatheredCounters`), over spike counts or trains (`setSpikeTrainCounters`).
    @inline(__always)
    func setKernelCounters(_ request: KernelRequest, tally: WeightedLayer.EventTally, into c: inout EventCounters) {
        if request.input == .values {
            let inputBits = request.record.readsModelInput ? 8 : Requantize.codeBits(timesteps: request.timesteps)
            setGatheredCounters(request.weighted, tally: tally, inputBits: inputBits, into: &c)
        } else {
            setSpikeTrainCounters(request.weighted, tally: tally, into: &c)
        }
    }

    /// Sets the counters of a layer run on values (codes, input bytes) from its `tally`: the
    /// multiplies with non-zero weights, a weight row read per row, and the closed-form activation
    /// reads of every valid tap (`inputBits` each; `c.denseSynapticOps` must be set).
    @inline(__always)
    func setGatheredCounters(_ w: WeightedLayer, tally: WeightedLayer.EventTally, inputBits: Int,
                             into c: inout EventCounters) {
        c.effectiveMACs = tally.operations
        c.weightReadBits = tally.rowsRead &* UInt64(widening: w.record.outC * w.record.weightBits)
        c.activationReadBits = c.denseSynapticOps / UInt64(widening: w.record.outC) &* UInt64(widening: inputBits)
    }

    /// Adds a spiking layer's counters from its spike trains' `tally`: spikes in, an accumulate
    /// per spike and non-zero weight of each valid tap, a weight row read per spike and valid tap.
    @inline(__always)
    func setSpikeTrainCounters(_ w: WeightedLayer, tally: WeightedLayer.EventTally, into c: inout EventCounters) {
        c.inputEvents &+= tally.events
        c.effectiveACs &+= tally.operations
        c.weightReadBits &+= tally.rowsRead &* UInt64(widening: w.record.outC * w.record.weightBits)
    }

    /// The tally of one pass over weighted layer `i`'s `input` (`countInputEvents`): unweighted
    /// for values, each input weighed by its value for spike counts (`weighted`). `scratch`: the
    /// kernel layout's tap prefix sums, filled where none are prepacked.
    @inline(__always)
    func inputTally(_ w: WeightedLayer, layer i: Int, input: UnsafePointer<UInt8>, weighted: Bool,
                    scratch: UnsafeMutablePointer<UInt32>) -> WeightedLayer.EventTally {
        var tally = WeightedLayer.EventTally()
        w.countInputEvents(input, weighted: weighted, prefix: tapPrefix(layer: i, w, scratch: scratch), into: &tally)
        return tally
    }
}
