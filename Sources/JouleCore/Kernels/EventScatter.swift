/// The QNN's event scatter for sparse inputs: each non-zero input (channel `c`, pixel `(iy, ix)`,
/// value `v`) adds `v ·` weight row `(c, ky, kx)` into the int32 sums of every output pixel
/// `(iy + padH − ky, ix + padW − kx)` its taps reach — work in proportion to the events, with
/// no per-output-pixel lists or loops over silent windows (what the event gather pays for).
///
/// The outputs go band by band (`ScatterScratch.bandRows` rows, their sums in the L1 cache): the
/// input rows that reach the band are scanned for non-zero bytes a machine word at a time, and
/// each event adds its taps inside the band one kernel row at a time (the band's columns are
/// stored reversed, so a kernel row's taps meet consecutive sums in the order of their
/// consecutive weight rows); then the band's sums become codes against channel-ordered
/// thresholds and are stored in CHW order. Portable Swift SIMD (no intrinsics): the same code on
/// x86, aarch64 and armv7.
///
/// Exactness: codes (`≤ 15`) are added as int16 products into 16 lanes of int16 sums, widened
/// into the int32 sums whenever the values added since reach `ScatterScratch.narrowValueBudget`
/// (an event reaches each output through one tap, so no int16 sum passes `255 · 128`); the
/// model input's bytes go straight into 8 lanes of int32 sums, as the plain gather's (validation
/// bounds a layer's sums inside int32). The codes come from the same thresholds as the other
/// kernels' (`Requantize.fillCodeThresholds`). The results equal the plain kernel's bit for bit
/// (`EventScatterTests`, which drive one int16 sum past 16 bits).
extension WeightedLayer {
    /// Fills `thresholds` (`15 · outC` int32) for a run with `T` timesteps and input scale `k`, in
    /// channel order: `θ_{j,n}` at `(n − 1) · outC + j`.
    /// - Precondition: `T ≤ WeightedLayer.maxThresholdTimesteps`.
    func prepareChannelCodes(_ thresholds: UnsafeMutablePointer<Int32>, k: Int64, timesteps t: Int) {
        for j in 0..<record.outC {
            Requantize.fillCodeThresholds(thresholds + j, stride: record.outC, timesteps: t,
                                          multiplier: multiplier(j), offset: Int64(widening: t) &* bias(j),
                                          shift: record.shift, scale: k)
        }
    }

    /// Runs the layer over `input` (CHW bytes, `inC · inH · inW`, at most `maxValue`: codes, or
    /// the model input's bytes) into `output` (CHW codes, `outC · outH · outW` bytes). `layout.thresholds` must hold
    /// this run's thresholds (`prepareChannelCodes`).
    /// - Precondition: `ScatterScratch.supports(record)`, `1 ≤ T ≤ 15`.
    ///
    /// With `counting` (and not `spikeTrains`), also tallies the counters' weight rows read and
    /// multiplies with non-zero weights (`EventTally.rowsRead`, `.operations`, as
    /// `countInputEvents` would) from the taps each event reaches: four lookups per event and
    /// band in `layout.tapPrefix`, which it fills first (`fillTapPrefix`).
    ///
    /// With `spikeTrains`, the layer-wise SNN's kernel: `input` holds spike counts `0…T` (the
    /// evenly spread trains of `Requantize.spikes`); each band's inputs that fire at all are
    /// listed in one sweep (`layout.spikeList`, scratch of `ScatterScratch.bytes(_:spikeTrains:
    /// true)`), and the list is walked once per timestep, every input that fires at that step
    /// adding its weight rows once (an accumulate per synapse, no multiply; `maxValue` must be
    /// 1). The window totals, and so the spike counts stored as `output`, equal the per-step
    /// gather's. It tallies nothing: the caller counts the spike trains in one pass
    /// (`countInputEvents(weighted: true)`, cheaper than a tally per listed input and band).
    func eventScatter(input: UnsafePointer<UInt8>, maxValue: Int, layout: ScatterScratch, timesteps t: Int,
                      output: UnsafeMutablePointer<UInt8>, counting: Bool, into tally: inout EventTally,
                      spikeTrains: Bool = false) {
        let r = record
        let outC = r.outC, outW = r.outW, inW = r.inW
        let rowBytes = r.rowBytes, channelRows = kernelH * kernelW * rowBytes
        let inPlane = r.inH * inW, outPlane = r.outH * outW
        let band = ScatterScratch.bandRows(r)
        let wide = layout.accumulators, narrow = layout.narrow
        let useNarrow = ScatterScratch.narrows(r, maxValue: maxValue)
        let prefixStride = kernelW + 1, prefixSize = (kernelH + 1) * prefixStride
        /// What the nested functions update (passed in and out: see below).
        struct State {
            /// Σ of the values added to the 16-bit sums since they were last flushed.
            var pending = 0
            var operations: UInt64 = 0, rowsRead: UInt64 = 0
        }
        var state = State()
        if counting { fillTapPrefix(layout.tapPrefix) }
        // Nested functions capture only constants (mutable captures would be boxed: Embedded
        // `-no-allocations` forbids that); their state goes in and out as arguments.
        var bandStart = 0
        while bandStart < r.outH {
            let y0 = bandStart
            let rows = min(band, r.outH - y0)
            let count = rows * outW * outC
            wide.initializeMemory(as: Int32.self, repeating: 0, count: count)
            if useNarrow { narrow.initializeMemory(as: Int16.self, repeating: 0, count: count) }
            state.pending = 0
            // Input rows with a tap in the band: iy + padH − ky ∈ [y0, y0 + rows).
            let iyLo = max(0, y0 - padH), iyHi = min(r.inH, y0 + rows - 1 - padH + kernelH)
            /// Calls `add(sums, weights, count)` for each kernel row of event `(c, iy, ix)` that
            /// lands in the band: its taps `kxLo…kxHi` reach band slots `q…q + n − 1` (columns
            /// stored reversed, `ScatterScratch`), whose `count = n · outC` sums start at `sums`
            /// (in units of one sum) — and their weight rows are consecutive too, `count` bytes
            /// from `weights` (`rowBytes = outC`): one run per kernel row.
            @inline(__always)
            func forEachKernelRow(channel c: Int, row iy: Int, column ix: Int, kyLo: Int, kyHi: Int, kxLo: Int, kxHi: Int,
                                  _ add: (Int, UnsafeRawPointer, Int) -> Void) {
                let count = (kxHi &- kxLo &+ 1) &* outC
                var ky = kyLo
                var rowWeights = weights + (c &* channelRows &+ (kyLo &* kernelW &+ kxLo) &* rowBytes)
                // Slot of output pixel (oy, ox) = (oy − y0) · outW + outW − 1 − ox, ox = ix + padW − kx.
                var slot = (iy &+ padH &- kyLo &- y0) &* outW &+ outW &- 1 &- ix &- padW &+ kxLo
                while ky <= kyHi {
                    add(slot &* outC, rowWeights, count)
                    rowWeights += kernelW &* rowBytes
                    slot &-= outW
                    ky &+= 1
                }
            }
            /// Adds the pending 16-bit sums into the int32 ones and zeroes them.
            @inline(__always)
            func flush() {
                var i = 0
                while i < count {
                    let v = narrow.loadUnaligned(fromByteOffset: 2 &* i, as: SIMD16<Int16>.self)
                    let low = wide.loadUnaligned(fromByteOffset: 4 &* i, as: SIMD8<Int32>.self)
                    let high = wide.loadUnaligned(fromByteOffset: 4 &* i &+ 32, as: SIMD8<Int32>.self)
                    wide.storeBytes(of: low &+ SIMD8<Int32>(truncatingIfNeeded: v.lowHalf), toByteOffset: 4 &* i,
                                    as: SIMD8<Int32>.self)
                    wide.storeBytes(of: high &+ SIMD8<Int32>(truncatingIfNeeded: v.highHalf), toByteOffset: 4 &* i &+ 32,
                                    as: SIMD8<Int32>.self)
                    narrow.storeBytes(of: SIMD16<Int16>(), toByteOffset: 2 &* i, as: SIMD16<Int16>.self)
                    i &+= 16
                }
            }
            /// Tallies an event of input `(c, iy, ix)` for the counters: the taps that land in the
            /// band (rows kyLo…kyHi × columns kxLo…kxHi), their non-zero weights by four lookups
            /// in the tap prefix sums.
            @inline(__always)
            func tally(channel c: Int, kyLo: Int, kyHi: Int, kxLo: Int, kxHi: Int, state: inout State) {
                let p = layout.tapPrefix + c &* prefixSize
                let a0 = kyLo &* prefixStride, a1 = (kyHi &+ 1) &* prefixStride
                state.operations &+= UInt64(widening: p[a1 &+ kxHi &+ 1] &- p[a0 &+ kxHi &+ 1] &- p[a1 &+ kxLo] &+ p[a0 &+ kxLo])
                state.rowsRead &+= UInt64(widening: (kyHi &- kyLo &+ 1) &* (kxHi &- kxLo &+ 1))
            }
            /// The taps of input `(iy, ix)` that land in the band: rows kyLo…kyHi × columns
            /// kxLo…kxHi (empty when a low bound passes its high one).
            @inline(__always)
            func bandTaps(row iy: Int, column ix: Int) -> (kyLo: Int, kyHi: Int, kxLo: Int, kxHi: Int) {
                (max(0, iy &+ padH &- (y0 &+ rows &- 1)), min(kernelH &- 1, iy &+ padH &- y0),
                 max(0, ix &+ padW &- (outW &- 1)), min(kernelW &- 1, ix &+ padW))
            }
            /// Adds event `(c, iy, ix)` of value `v` into the band's sums (and, with `counting`
            /// and not `spikeTrains`, tallies it).
            @inline(__always)
            func event(channel c: Int, row iy: Int, column ix: Int, value v: UInt8, state: inout State) {
                let (kyLo, kyHi, kxLo, kxHi) = bandTaps(row: iy, column: ix)
                guard kyLo <= kyHi, kxLo <= kxHi else { return }
                if counting && !spikeTrains {
                    tally(channel: c, kyLo: kyLo, kyHi: kyHi, kxLo: kxLo, kxHi: kxHi, state: &state)
                }
                if useNarrow {
                    // Each event reaches a pixel through one tap, so a 16-bit sum holds at most
                    // `pending · 128` in magnitude: flushed before that passes 32767.
                    if state.pending &+ Int(v) > ScatterScratch.narrowValueBudget { flush(); state.pending = 0 }
                    state.pending &+= Int(v)
                    let value = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: v))
                    forEachKernelRow(channel: c, row: iy, column: ix, kyLo: kyLo, kyHi: kyHi, kxLo: kxLo,
                                     kxHi: kxHi) { sums, w, count in
                        var j = 0
                        while j < count {
                            let row = SIMD16<Int16>(truncatingIfNeeded: w.loadUnaligned(fromByteOffset: j, as: SIMD16<Int8>.self))
                            let product = spikeTrains ? row : value &* row
                            let at = 2 &* (sums &+ j)
                            narrow.storeBytes(of: narrow.loadUnaligned(fromByteOffset: at, as: SIMD16<Int16>.self) &+ product,
                                              toByteOffset: at, as: SIMD16<Int16>.self)
                            j &+= 16
                        }
                    }
                } else {
                    let value = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: v))
                    forEachKernelRow(channel: c, row: iy, column: ix, kyLo: kyLo, kyHi: kyHi, kxLo: kxLo,
                                     kxHi: kxHi) { sums, w, count in
                        var j = 0
                        while j < count {
                            let product = value &* SIMD8<Int32>(truncatingIfNeeded: w.loadUnaligned(fromByteOffset: j, as: SIMD8<Int8>.self))
                            let at = 4 &* (sums &+ j)
                            wide.storeBytes(of: wide.loadUnaligned(fromByteOffset: at, as: SIMD8<Int32>.self) &+ product,
                                            toByteOffset: at, as: SIMD8<Int32>.self)
                            j &+= 8
                        }
                    }
                }
            }
            // Each channel's rows iyLo..<iyHi are contiguous: scanned a machine word at a time
            // (8 or 4 bytes), the event's row and column kept by stepping a row start forward.
            // Spike trains: the scan lists the inputs that fire at all (`layout.spikeList`), and
            // each timestep walks that list, taking those whose count fires then.
            let span = (iyHi - iyLo) * inW
            var listed = 0
            for c in 0..<r.inC {
                let first = UnsafeRawPointer(input + (c &* inPlane &+ iyLo &* inW))
                var iy = iyLo, rowStart = 0
                @inline(__always)
                func found(at offset: Int, value v: UInt8, iy: inout Int, rowStart: inout Int, state: inout State,
                           listed: inout Int) {
                    while offset >= rowStart &+ inW { rowStart &+= inW; iy &+= 1 }
                    if spikeTrains {
                        let entry = layout.spikeList + 4 &* listed
                        entry[0] = UInt16(truncatingIfNeeded: c)
                        entry[1] = UInt16(truncatingIfNeeded: iy)
                        entry[2] = UInt16(truncatingIfNeeded: offset &- rowStart)
                        entry[3] = UInt16(v)
                        listed &+= 1
                    } else {
                        event(channel: c, row: iy, column: offset &- rowStart, value: v, state: &state)
                    }
                }
                var x = 0
                let wordBytes = MemoryLayout<UInt>.size
                while x &+ wordBytes <= span {
                    var word = first.loadUnaligned(fromByteOffset: x, as: UInt.self)
                    while word != 0 {
                        let bit = word.trailingZeroBitCount & ~7
                        found(at: x &+ bit &>> 3, value: UInt8(truncatingIfNeeded: word &>> UInt(bitPattern: bit)), iy: &iy,
                              rowStart: &rowStart, state: &state, listed: &listed)
                        word &= ~(UInt(0xFF) &<< UInt(bitPattern: bit))
                    }
                    x &+= wordBytes
                }
                while x < span {
                    let v = first.load(fromByteOffset: x, as: UInt8.self)
                    if v != 0 { found(at: x, value: v, iy: &iy, rowStart: &rowStart, state: &state, listed: &listed) }
                    x &+= 1
                }
            }
            if spikeTrains {
                for step in 0..<t {
                    let fires = Requantize.spikeMask(step: step, timesteps: t)
                    var entry = layout.spikeList
                    for _ in 0..<listed {
                        defer { entry += 4 }
                        if (fires &>> UInt64(widening: Int(entry[3]))) & 1 == 0 { continue }
                        event(channel: Int(entry[0]), row: Int(entry[1]), column: Int(entry[2]), value: 1, state: &state)
                    }
                }
            }
            if useNarrow && state.pending > 0 { flush() }
            storeBandCodes(wide, rows: rows, thresholds: layout.thresholds, timesteps: t,
                           output: output + y0 * outW, plane: outPlane)
            bandStart += rows
        }
        tally.operations &+= state.operations
        tally.rowsRead &+= state.rowsRead
    }

    /// Codes of a band's `rows` output rows (`sums`: `outC` int32 per slot, channel order, slots
    /// in `ScatterScratch` order, columns reversed) against the channel-ordered `thresholds`,
    /// stored into the CHW output at `output` (the band's first pixel, channel 0; channels
    /// `plane` bytes apart; a band's pixels are consecutive there).
    /// Blocks of 8 pixels × 8 channels: all-zero when no sum reaches its `θ_1`, else coded and
    /// transposed in 32-bit lanes — lane `i` gathers channel `i`'s codes of 4 pixels, two 4-byte
    /// stores per channel.
    @inline(__always)
    func storeBandCodes(_ sums: UnsafeRawPointer, rows: Int, thresholds: UnsafePointer<Int32>, timesteps t: Int,
                        output: UnsafeMutablePointer<UInt8>, plane: Int) {
        let outC = record.outC, outW = record.outW, pixels = rows &* outW
        let th = UnsafeRawPointer(thresholds), out = UnsafeMutableRawPointer(output)
        let zero = SIMD8<Int32>(repeating: 0)
        /// Sums of channels `j…j+7` of band slot `q`.
        @inline(__always)
        func sum(_ q: Int, _ j: Int) -> SIMD8<Int32> {
            sums.loadUnaligned(fromByteOffset: 4 &* (q &* outC &+ j), as: SIMD8<Int32>.self)
        }
        /// The slot of band pixel `p` (row-major, as in the output).
        @inline(__always)
        func slot(_ p: Int) -> Int {
            let row = p / outW
            return row &* outW &+ outW &- 1 &- (p &- row &* outW)
        }
        /// Codes of channels `j…j+7` from their sums `a`.
        @inline(__always)
        func code(_ a: SIMD8<Int32>, _ j: Int) -> SIMD8<Int32> {
            Requantize.codes(of: a, thresholds: th + 4 &* j, rowBytes: 4 &* outC, timesteps: t)
        }
        let eight = SIMD8<Int32>(repeating: 8)
        var p = 0
        while p &+ 8 <= pixels {
            // The byte offsets of the 8 pixels' sums: one division per block, then stepping
            // along the row.
            var offsets = InlineArray<8, Int>(repeating: 0)
            var row = p / outW, column = p &- row &* outW
            for k in 0..<8 {
                offsets[k] = 4 &* (row &* outW &+ outW &- 1 &- column) &* outC
                column &+= 1
                if column == outW { column = 0; row &+= 1 }
            }
            let at = offsets  // (a nested function may not capture a var under Embedded)
            /// Sums of channels `j…j+7` of the block's pixel `k`.
            @inline(__always)
            func pixelSums(_ k: Int, _ j: Int) -> SIMD8<Int32> {
                sums.loadUnaligned(fromByteOffset: at[k] &+ 4 &* j, as: SIMD8<Int32>.self)
            }
            var j = 0
            while j < outC {
                // How many of the 8 pixels miss θ_1, per channel (counted with compares and
                // adds: mask `|` and `any` lower lane by lane, or allocate under Embedded).
                let theta1 = th.loadUnaligned(fromByteOffset: 4 &* j, as: SIMD8<Int32>.self)
                var misses = zero
                for k in 0..<8 { misses &+= zero.replacing(with: 1, where: pixelSums(k, j) .< theta1) }
                // Pixels 0…3 and 4…7 packed into 32-bit lanes (no 64-bit lane arithmetic: it
                // would not be allocation-free on 32-bit targets).
                var low = SIMD8<UInt32>(repeating: 0), high = SIMD8<UInt32>(repeating: 0)
                if misses != eight {
                    for k in 0..<4 {
                        let shift = UInt32(truncatingIfNeeded: 8 &* k)
                        low |= SIMD8<UInt32>(truncatingIfNeeded: code(pixelSums(k, j), j)) &<< shift
                        high |= SIMD8<UInt32>(truncatingIfNeeded: code(pixelSums(k &+ 4, j), j)) &<< shift
                    }
                }
                for i in 0..<8 {
                    let at = (j &+ i) &* plane &+ p
                    out.storeBytes(of: low[i], toByteOffset: at, as: UInt32.self)
                    out.storeBytes(of: high[i], toByteOffset: at &+ 4, as: UInt32.self)
                }
                j &+= 8
            }
            p &+= 8
        }
        while p < pixels {
            var j = 0
            while j < outC {
                let c = code(sum(slot(p), j), j)
                for i in 0..<8 { output[(j &+ i) &* plane &+ p] = UInt8(truncatingIfNeeded: c[i]) }
                j &+= 8
            }
            p &+= 1
        }
    }
}
