/// The vectorised kernel of convolution and fully connected layers with int8 weights: output-
/// stationary, walking per-pixel event lists (`EventRows`) instead of testing every input, with
/// 16-bit SIMD accumulators held in registers over tiles of 32 or 64 output channels.
///
/// Exactness: an event adds `value · w` with `value ≤ maxValue ≤ 255` and `−128 ≤ w ≤ 127`;
/// values above 15 (8-bit, the model input's bytes) are split into 4-bit halves summed in
/// separate lanes (the high ones scaled by 16 when widened), so every 16-bit term is at most
/// `128 · m` with `m = min(maxValue, 15)` and `K = ⌊32767 / (128 · m)⌋` events can be summed
/// without overflow; the 16-bit lanes are added into int32 lanes every `K` events and at the end
/// of a pixel's tile. The results equal the plain kernels' (`WeightedGather.swift`,
/// `SpikeScatter.swift`) bit for bit; the tests run both.
///
/// Weight lanes (Swift SIMD types only, no intrinsics): a row's 64 int8 weights are loaded as 32
/// int16 lanes (little-endian); the even channel of each pair is `(lane << 8) >> 8`, the odd one
/// `lane >> 8` (arithmetic shifts), so no widening conversion is needed and the accumulators hold
/// even and odd channels apart. They are widened to int32 in a fixed permuted "sum order"
/// (`SumOrder`); a pixel's final sums are put back in channel order only where a caller needs
/// that — codes are taken from them in sum order (`storeCodes(sumOrder:)`, whose thresholds are
/// stored so).
///
/// One event at a time: the loop is bound by the dependent list → row loads, not by multiplies,
/// so it pairs no events for `vpmaddubsw`. Paired multiplies belong to the dense convolution
/// (`x86/DenseConvolutionAVX2.swift`), which the cost model picks per layer and input where inputs are
/// dense.
extension WeightedLayer {
    /// Whether the event gather can run this layer with event values up to `maxValue`: int8
    /// weights, `outC` a multiple of 32, and `1 ≤ maxValue ≤ 15` with fewer than 4096 input
    /// channels or `maxValue ≤ 255` with fewer than 256.
    @inline(__always)
    func supportsEventGather(maxValue: Int) -> Bool {
        EventScratch.weightsFit(record) && maxValue >= 1
            && (maxValue <= 15 ? record.inC < 4096 : (maxValue <= 255 && record.inC < 256))
    }

    /// What a pass over a layer's input costs (`countInputEvents`), for the counters.
    struct EventTally {
        /// Non-zero inputs (QNN) or spikes (SNN) seen.
        var events: UInt64 = 0
        /// Multiplies (QNN) or accumulates (SNN) with non-zero weights: Σ over events and the
        /// kernel taps that reach an output of the row's non-zero weight count.
        var operations: UInt64 = 0
        /// Weight rows read: Σ over events of the taps that reach an output.
        var rowsRead: UInt64 = 0
    }

    /// Runs the gather over every output pixel.
    ///
    /// - Parameters:
    ///   - input: `inC · inH · inW` stored bytes, CHW.
    ///   - maxValue: bound of the event values, `supportsEventGather(maxValue:)`; stored bytes
    ///     must not exceed it.
    ///   - spikeMask: nil — an input's event value is its stored byte; else the spikes of one
    ///     timestep (`EventRows.build`), `maxValue` 1.
    ///   - layout: the gather's working memory in the scratch region.
    ///   - accumulators: int32 accumulators of output pixel `p` at `accumulators + p · pixelStride`
    ///     (`outC` each, channel order); `clear` zeroes them first, else the pixel's sums are added.
    ///   - body: called with each pixel and its accumulators once they are complete — with
    ///     `clear` false, only for pixels whose window holds events (the others are unchanged).
    ///   - permuted: accumulate straight into the pixels' accumulators in sum order (no
    ///     per-pixel reordering; `clear` must be false, `body` is not called): for the SNN's
    ///     per-timestep passes, which reorder once at the end (`unpermute`).
    ///   - sumOrderBody: hand `body` the pixel's sums in sum order (in the gather's own memory, to
    ///     be used before `body` returns; zeros for a silent window) instead of channel-ordered
    ///     `accumulators`, which are then not written (`clear` must be true).
    @inline(__always)
    func eventGather(input: UnsafePointer<UInt8>, maxValue: Int, spikeMask: UInt64?, layout: EventScratch,
                     accumulators: UnsafeMutablePointer<Int32>, pixelStride: Int, clear: Bool, permuted: Bool = false,
                     sumOrderBody: Bool = false, _ body: (Int, UnsafeMutablePointer<Int32>) -> Void) {
        let r = record
        let valueBits = maxValue <= 15 ? 4 : 8
        let valueMask = UInt16(truncatingIfNeeded: (1 &<< valueBits) - 1)
        let rows = EventRows(base: layout.lists, slots: kernelH, width: r.inW, channels: r.inC, valueBits: valueBits)
        let perChannel = kernelH * kernelW * r.rowBytes
        // 8-bit values are split into two 4-bit halves (`v = 16·high + low`) summed apart, so
        // that the flush bound is that of 4-bit values.
        let split = valueBits == 8
        let limit = max(1, 32767 / (128 * min(maxValue, 15)))
        let unit = maxValue == 1
        let wide = layout.wide
        var built = 0
        for oy in 0..<r.outH {
            let y0 = oy * strideH - padH
            let kyLo = max(0, -y0), kyHi = max(kyLo, min(kernelH, r.inH - y0))
            while built < y0 + kyHi {
                rows.build(row: built, height: r.inH, from: input, spikeMask: spikeMask)
                built += 1
            }
            let firstSlot = (y0 + kyLo) % kernelH
            /// Events in the window of output pixel `ox` of this row (0: nothing to add).
            @inline(__always)
            func windowEvents(_ ox: Int) -> Int {
                let x0 = ox * strideW - padW
                let kxLo = max(0, -x0), kxHi = max(kxLo, min(kernelW, r.inW - x0))
                var total = 0, slot = firstSlot
                for _ in kyLo..<kyHi {
                    for kx in kxLo..<kxHi { total &+= rows.count(slot: slot, x: x0 + kx) }
                    slot = slot + 1 == kernelH ? 0 : slot + 1
                }
                return total
            }
            /// Adds tile `tile…tile+lanes` of output pixel `ox`'s window into `sums` (int32, sum order).
            @inline(__always)
            func accumulate(_ ox: Int, _ tile: Int, _ lanes: Int, into sums: UnsafeMutableRawPointer) {
                let x0 = ox * strideW - padW
                let kxLo = max(0, -x0), kxHi = max(kxLo, min(kernelW, r.inW - x0))
                // Channels tile…tile+31 in a0/b0 (even/odd channels), tile+32…tile+63 in a1/b1;
                // h/g: the high halves of split 8-bit values.
                var a0 = SIMD16<Int16>(), b0 = SIMD16<Int16>(), a1 = SIMD16<Int16>(), b1 = SIMD16<Int16>()
                var h0 = SIMD16<Int16>(), g0 = SIMD16<Int16>(), h1 = SIMD16<Int16>(), g1 = SIMD16<Int16>()
                var pending = 0
                var slot = firstSlot
                for ky in kyLo..<kyHi {
                    defer { slot = slot + 1 == kernelH ? 0 : slot + 1 }
                    for kx in kxLo..<kxHi {
                        let n = rows.count(slot: slot, x: x0 + kx)
                        let list = rows.entries(slot: slot, x: x0 + kx)
                        let tap = UnsafeRawPointer(weights) + (ky * kernelW + kx) * r.rowBytes + tile
                        var e = 0
                        while e < n {
                            let end = min(n, e + limit - pending)
                            pending += end - e
                            if unit && lanes == 64 {
                                while e < end {
                                    let w = tap + Int(list[e] &>> 4) * perChannel
                                    let p0 = w.loadUnaligned(as: SIMD16<Int16>.self)
                                    let p1 = w.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self)
                                    a0 &+= (p0 &<< 8) &>> 8
                                    b0 &+= p0 &>> 8
                                    a1 &+= (p1 &<< 8) &>> 8
                                    b1 &+= p1 &>> 8
                                    e += 1
                                }
                            } else if unit {
                                while e < end {
                                    let p0 = (tap + Int(list[e] &>> 4) * perChannel).loadUnaligned(as: SIMD16<Int16>.self)
                                    a0 &+= (p0 &<< 8) &>> 8
                                    b0 &+= p0 &>> 8
                                    e += 1
                                }
                            } else if split {
                                while e < end {
                                    let entry = list[e]
                                    let w = tap + Int(entry &>> 8) * perChannel
                                    let low = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: entry & 15))
                                    let high = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: (entry &>> 4) & 15))
                                    let p0 = w.loadUnaligned(as: SIMD16<Int16>.self)
                                    let even0 = (p0 &<< 8) &>> 8, odd0 = p0 &>> 8
                                    a0 &+= even0 &* low
                                    b0 &+= odd0 &* low
                                    h0 &+= even0 &* high
                                    g0 &+= odd0 &* high
                                    if lanes == 64 {
                                        let p1 = w.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self)
                                        let even1 = (p1 &<< 8) &>> 8, odd1 = p1 &>> 8
                                        a1 &+= even1 &* low
                                        b1 &+= odd1 &* low
                                        h1 &+= even1 &* high
                                        g1 &+= odd1 &* high
                                    }
                                    e += 1
                                }
                            } else if lanes == 64 {
                                while e < end {
                                    let entry = list[e]
                                    let w = tap + Int(entry &>> UInt16(truncatingIfNeeded: valueBits)) * perChannel
                                    let v = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: entry & valueMask))
                                    let p0 = w.loadUnaligned(as: SIMD16<Int16>.self)
                                    let p1 = w.loadUnaligned(fromByteOffset: 32, as: SIMD16<Int16>.self)
                                    a0 &+= ((p0 &<< 8) &>> 8) &* v
                                    b0 &+= (p0 &>> 8) &* v
                                    a1 &+= ((p1 &<< 8) &>> 8) &* v
                                    b1 &+= (p1 &>> 8) &* v
                                    e += 1
                                }
                            } else {
                                while e < end {
                                    let entry = list[e]
                                    let w = tap + Int(entry &>> UInt16(truncatingIfNeeded: valueBits)) * perChannel
                                    let v = SIMD16<Int16>(repeating: Int16(truncatingIfNeeded: entry & valueMask))
                                    let p0 = w.loadUnaligned(as: SIMD16<Int16>.self)
                                    a0 &+= ((p0 &<< 8) &>> 8) &* v
                                    b0 &+= (p0 &>> 8) &* v
                                    e += 1
                                }
                            }
                            if pending == limit {
                                Self.flush(&a0, &b0, &a1, &b1, &h0, &g0, &h1, &g1, into: sums, lanes: lanes, split: split)
                                pending = 0
                            }
                        }
                    }
                }
                if pending != 0 {
                    Self.flush(&a0, &b0, &a1, &b1, &h0, &g0, &h1, &g1, into: sums, lanes: lanes, split: split)
                }
            }
            if permuted {
                // Straight into each pixel's accumulators, kept in sum order.
                for ox in 0..<r.outW where windowEvents(ox) != 0 {
                    let sums = UnsafeMutableRawPointer(accumulators + (oy * r.outW + ox) * pixelStride)
                    var tile = 0
                    while tile < r.outC {
                        let lanes = r.outC - tile >= 64 ? 64 : 32
                        accumulate(ox, tile, lanes, into: sums + 4 * tile)
                        tile += lanes
                    }
                }
                continue
            }
            /// Hands pixel `ox` its accumulators: its sum-ordered `sums` reordered in, or zeros for a
            /// silent window (nothing at all when adding).
            @inline(__always)
            func finish(_ ox: Int, silent: Bool, sums: UnsafeMutableRawPointer) {
                let pixel = oy * r.outW + ox
                if sumOrderBody { return body(pixel, sums.assumingMemoryBound(to: Int32.self)) }
                let acc = accumulators + pixel * pixelStride
                if silent {
                    if !clear { return }  // adding zeros: nothing to do, not even the body
                    for j in 0..<r.outC { acc[j] = 0 }
                } else {
                    Self.reorder(sums, into: acc, channels: r.outC, clear: clear)
                }
                body(pixel, acc)
            }
            if r.outC <= 64 {
                // One tile: pixel by pixel, straight into its accumulators.
                for ox in 0..<r.outW {
                    let silent = windowEvents(ox) == 0
                    if !silent || sumOrderBody {
                        for j in 0..<r.outC / 8 { wide.storeBytes(of: SIMD8<Int32>(), toByteOffset: 32 * j, as: SIMD8<Int32>.self) }
                    }
                    if !silent { accumulate(ox, 0, r.outC, into: wide) }
                    finish(ox, silent: silent, sums: wide)
                }
                continue
            }
            // Tiles outside pixels: one tile's weights (inC · taps · 64 bytes) stay in cache
            // while every pixel of the output row reads them.
            for j in 0..<r.outW * r.outC / 8 { wide.storeBytes(of: SIMD8<Int32>(), toByteOffset: 32 * j, as: SIMD8<Int32>.self) }
            var tile = 0
            while tile < r.outC {
                let lanes = r.outC - tile >= 64 ? 64 : 32
                for ox in 0..<r.outW where windowEvents(ox) != 0 {  // silent windows: sums stay zero
                    accumulate(ox, tile, lanes, into: wide + 4 * (ox * r.outC + tile))
                }
                tile += lanes
            }
            for ox in 0..<r.outW {
                finish(ox, silent: windowEvents(ox) == 0, sums: wide + 4 * ox * r.outC)
            }
        }
    }

    /// Puts `channels` (a multiple of 32) accumulators kept in sum order back into channel
    /// order, through `temporary` (`channels · 4` bytes).
    @inline(__always)
    static func unpermute(_ acc: UnsafeMutablePointer<Int32>, channels: Int, temporary: UnsafeMutableRawPointer) {
        temporary.copyMemory(from: acc, byteCount: channels * 4)
        reorder(temporary, into: acc, channels: channels, clear: true)
    }

    /// Adds 32 channels held in two 16-bit vectors (`a`: even channels, `b`: odd channels), times
    /// `2^shift`, to four int32 vectors at `sums` in sum order (`SumOrder`): `a`'s even lanes,
    /// `b`'s even lanes, `a`'s odd lanes, `b`'s odd lanes.
    @inline(__always)
    static func widen(_ a: SIMD16<Int16>, _ b: SIMD16<Int16>, into sums: UnsafeMutableRawPointer, shift: Int32 = 0) {
        let e = unsafeBitCast(a, to: SIMD8<Int32>.self), o = unsafeBitCast(b, to: SIMD8<Int32>.self)
        add(((e &<< 16) &>> 16) &<< shift, at: sums)
        add(((o &<< 16) &>> 16) &<< shift, at: sums + 32)
        add((e &>> 16) &<< shift, at: sums + 64)
        add((o &>> 16) &<< shift, at: sums + 96)
    }

    /// Adds a tile's 16-bit sums (`a0`/`b0`: channels 0…31 even/odd, `a1`/`b1`: 32…63 when
    /// `lanes` is 64; with `split`, `h`/`g` the high halves, times 16) into `sums` and clears them.
    @inline(__always)
    static func flush(_ a0: inout SIMD16<Int16>, _ b0: inout SIMD16<Int16>, _ a1: inout SIMD16<Int16>, _ b1: inout SIMD16<Int16>,
                      _ h0: inout SIMD16<Int16>, _ g0: inout SIMD16<Int16>, _ h1: inout SIMD16<Int16>, _ g1: inout SIMD16<Int16>,
                      into sums: UnsafeMutableRawPointer, lanes: Int, split: Bool) {
        widen(a0, b0, into: sums)
        if lanes == 64 { widen(a1, b1, into: sums + 128) }
        if split {
            widen(h0, g0, into: sums, shift: 4)
            if lanes == 64 { widen(h1, g1, into: sums + 128, shift: 4) }
            h0 = SIMD16<Int16>(); g0 = h0; h1 = h0; g1 = h0
        }
        a0 = SIMD16<Int16>(); b0 = a0; a1 = a0; b1 = a0
    }

    @inline(__always)
    static func add(_ x: SIMD8<Int32>, at p: UnsafeMutableRawPointer) {
        p.storeBytes(of: p.loadUnaligned(as: SIMD8<Int32>.self) &+ x, as: SIMD8<Int32>.self)
    }

    /// Writes (or adds, `clear` false) the sum-ordered sums of `channels` channels (groups of
    /// 32) into `acc` in channel order.
    @inline(__always)
    static func reorder(_ sums: UnsafeMutableRawPointer, into acc: UnsafeMutablePointer<Int32>,
                        channels: Int, clear: Bool) {
        let flat = sums.assumingMemoryBound(to: Int32.self)
        var group = 0
        while group < channels {
            let g = flat + group
            for q in 0..<32 {
                let c = group + SumOrder.channel(q)
                acc[c] = (clear ? 0 : acc[c]) &+ g[q]
            }
            group += 32
        }
    }

    /// Per input channel, the 2-D prefix sums of its rows' non-zero weight counts over the kernel
    /// taps: `prefix[ci · P + a · (kernelW + 1) + b]` = Σ over `ky < a`, `kx < b`, with
    /// `P = (kernelH + 1)(kernelW + 1)`; the count over any rectangle of taps is four lookups.
    @inline(__always)
    func fillTapPrefix(_ prefix: UnsafeMutablePointer<UInt32>) {
        let stride = kernelW &+ 1, size = (kernelH &+ 1) &* stride
        // Row by row: entry (a + 1, b + 1) = entry (a, b + 1) + the row's running sum, so each
        // entry depends on one stored a row earlier, not on its left neighbour just written.
        var counts = rowCounts  // the rows' counts in channel-major, tap order (validated at open)
        for ci in 0..<record.inC {
            let p = prefix + ci &* size
            for b in 0..<stride { p[b] = 0 }
            var above = p, row = p + stride
            for _ in 0..<kernelH {
                row[0] = 0
                var running: UInt32 = 0
                for b in 0..<kernelW {
                    running &+= UInt32(littleEndian: counts.loadUnaligned(fromByteOffset: 4 &* b, as: UInt32.self))
                    row[b &+ 1] = above[b &+ 1] &+ running
                }
                counts += 4 &* kernelW
                above = row
                row += stride
            }
        }
    }

    /// The taps that input `(y, x)` of a stride-1 layer reaches, as prefix-table corners: rows
    /// `a0…a1` (entry offsets, multiples of `kernelW + 1`) and columns `b0…b1` (all 0 when it
    /// reaches none), and how many of the `kernelH · kernelW` taps it misses. Inputs of a border
    /// class (`countInputEvents`) share it.
    @inline(__always)
    func tapRectangle(row y: Int, column x: Int) -> (a0: Int, a1: Int, b0: Int, b1: Int, missing: UInt64) {
        let r = record
        let stride = kernelW + 1
        let yTop = y + padH, xLeft = x + padW
        let kyMin = max(0, yTop - (r.outH - 1)), kyMax = min(kernelH - 1, yTop)
        let kxMin = max(0, xLeft - (r.outW - 1)), kxMax = min(kernelW - 1, xLeft)
        let rows = max(0, kyMax - kyMin + 1), cols = max(0, kxMax - kxMin + 1)
        let some = rows > 0 && cols > 0  // corners all zero when no tap is reached
        return (some ? kyMin * stride : 0, some ? (kyMax + 1) * stride : 0,
                some ? kxMin : 0, some ? kxMax + 1 : 0, UInt64(widening: kernelH * kernelW - rows * cols))
    }

    /// Counts what a pass over `input` costs, straight from the input (no lists): every non-zero
    /// input is an event of weight 1 (QNN) or, `weighted`, of weight equal to its value (its
    /// spike count: the layer-wise SNN's events over all `T` steps). An input reaches the outputs
    /// of its valid taps (`ky ≡ y + padH mod strideH`, output row in range; likewise for x).
    ///
    /// Stride 1: each channel plane is counted in one vectorisable pass as if every input reached
    /// every tap, then the inputs near the borders (the only ones that reach fewer) are corrected
    /// one by one with four lookups in the tap prefix sums `prefix` (`fillTapPrefix`'s, filled by
    /// the caller: `Interpreter.tapPrefix`). Strided layers are counted input by input.
    @inline(__always)
    func countInputEvents(_ input: UnsafePointer<UInt8>, weighted: Bool, prefix: UnsafePointer<UInt32>,
                          into tally: inout EventTally) {
        let r = record
        let taps = kernelH * kernelW, plane = r.inH * r.inW
        let stride = kernelW + 1, size = (kernelH + 1) * stride
        let full = kernelH * stride + kernelW  // prefix index of the whole kernel
        let unit = strideH == 1 && strideW == 1
        // Stride 1: inputs in rows yLo..<yHi and columns xLo..<xHi reach every tap.
        let yLo = max(0, kernelH - 1 - padH), yHi = max(yLo, min(r.inH, r.outH - padH))
        let xLo = max(0, kernelW - 1 - padW), xHi = max(xLo, min(r.inW, r.outW - padW))
        if unit {
            for ci in 0..<r.inC {
                let channel = input + ci * plane
                let n = weighted ? ByteCounts.sum(channel, count: plane) : ByteCounts.nonZero(channel, count: plane)
                tally.events &+= n
                tally.rowsRead &+= n &* UInt64(widening: taps)
                tally.operations &+= n &* UInt64(widening: prefix[ci * size + full])
            }
            // Border inputs reach fewer taps: subtract what they miss. A class of inputs shares one
            // tap rectangle (rows kyMin…kyMax × columns kxMin…kxMax); per channel its count of
            // non-zero weights is four prefix lookups.
            func ranges(_ y: Int, _ x: Int) -> (a0: Int, a1: Int, b0: Int, b1: Int, missing: UInt64) {
                tapRectangle(row: y, column: x)
            }
            var missingRows: UInt64 = 0, unreached: UInt64 = 0  // locals: kept in registers
            /// Subtracts the taps `count` inputs of channel table `p` miss in class `c`.
            func correct(_ count: UInt32, _ p: UnsafePointer<UInt32>,
                         _ c: (a0: Int, a1: Int, b0: Int, b1: Int, missing: UInt64)) {
                let reached = p[c.a1 + c.b1] &- p[c.a0 + c.b1] &- p[c.a1 + c.b0] &+ p[c.a0 + c.b0]
                missingRows &+= UInt64(widening: count) &* c.missing
                unreached &+= UInt64(widening: count) &* UInt64(widening: p[full] &- reached)
            }
            for y in 0..<r.inH where y < yLo || y >= yHi {
                // A border row: its middle segment is one class per channel (vectorised count)…
                if xHi > xLo {
                    let c = ranges(y, xLo)
                    for ci in 0..<r.inC {
                        let line = input + ci * plane + y * r.inW
                        var n: UInt32 = 0
                        if weighted {
                            for x in xLo..<xHi { n &+= UInt32(line[x]) }
                        } else {
                            for x in xLo..<xHi { n &+= UInt32(min(line[x], 1)) }
                        }
                        correct(n, prefix + ci * size, c)
                    }
                }
                // …its ends are one class per pixel.
                for x in 0..<r.inW where x < xLo || x >= xHi {
                    let c = ranges(y, x)
                    var column = input + y * r.inW + x
                    for ci in 0..<r.inC {
                        let v = column.pointee
                        correct(UInt32(weighted ? v : min(v, 1)), prefix + ci * size, c)
                        column += plane
                    }
                }
            }
            // The inner rows' border columns: one class per column.
            for x in 0..<r.inW where (x < xLo || x >= xHi) && yHi > yLo {
                let c = ranges(yLo, x)
                for ci in 0..<r.inC {
                    var n: UInt32 = 0
                    var at = input + ci * plane + yLo * r.inW + x
                    for _ in yLo..<yHi {
                        n &+= UInt32(weighted ? at.pointee : min(at.pointee, 1))
                        at += r.inW
                    }
                    correct(n, prefix + ci * size, c)
                }
            }
            tally.rowsRead &-= missingRows
            tally.operations &-= unreached
            return
        }
        for ci in 0..<r.inC {
            let channel = input + ci * plane
            for y in 0..<r.inH {
                let yTop = y + padH
                let kyMin = max(0, yTop - (r.outH - 1) * strideH), kyMax = min(kernelH - 1, yTop)
                let kyFirst = kyMin + (yTop - kyMin) % strideH
                let validRows = kyFirst > kyMax ? 0 : (kyMax - kyFirst) / strideH + 1
                let line = channel + y * r.inW
                for x in 0..<r.inW where line[x] != 0 {
                    let weight = UInt64(widening: weighted ? line[x] : 1)
                    let xLeft = x + padW
                    let kxMin = max(0, xLeft - (r.outW - 1) * strideW), kxMax = min(kernelW - 1, xLeft)
                    let kxFirst = kxMin + (xLeft - kxMin) % strideW
                    let validCols = kxFirst > kxMax ? 0 : (kxMax - kxFirst) / strideW + 1
                    tally.events &+= weight
                    tally.rowsRead &+= weight &* UInt64(widening: validRows * validCols)
                    if validRows == 0 || validCols == 0 { continue }
                    var ky = kyFirst
                    while ky <= kyMax {
                        var kx = kxFirst
                        while kx <= kxMax {
                            tally.operations &+= weight &* nonZeroWeights(row: ci * taps + ky * kernelW + kx)
                            kx += strideW
                        }
                        ky += strideH
                    }
                }
            }
        }
    }
}

/// Where the event gather keeps each channel of a 32-channel group in its int32 sums ("sum
/// order"): position `q = 8k + i` (vector `k` = 0…3 of `widen`, lane `i` = 0…7) holds channel
/// `4i + k` — `widen` takes the even 16-bit lanes of the even channels (`4i`), of the odd ones
/// (`4i + 1`), then the odd lanes of each (`4i + 2`, `4i + 3`).
enum SumOrder {
    /// The channel (0…31) at position `q` (0…31).
    @inline(__always)
    static func channel(_ q: Int) -> Int {
        4 &* (q & 7) &+ (q &>> 3)
    }

    /// The position (0…31) of channel `c` (0…31): the inverse of `channel`.
    @inline(__always)
    static func position(_ c: Int) -> Int {
        8 &* (c & 3) &+ (c &>> 2)
    }
}

/// Where the event gather's working memory lies in a layer's scratch region (caller-owned):
/// `accumulatorBytes` of int32 accumulators first, then one output row's `outW · outC` int32
/// sums in sum order (`wide`, 32-byte vectors per pixel and 32 channels), `inC` tap prefix-sum tables of
/// `(kernelH + 1)(kernelW + 1)` `UInt32` (`fillTapPrefix`), `outC` int64 bias terms, then the event lists of
/// `kernelH` input rows (`EventRows`), each part 16-byte aligned (the arena is 16-byte aligned;
/// vector accesses need no more).
struct EventScratch {
    let wide: UnsafeMutableRawPointer
    let tapPrefix: UnsafeMutablePointer<UInt32>
    /// `outC` int64 bias terms `T · B_j` (`WeightedLayer.prepareCodes`).
    let offsets: UnsafeMutablePointer<Int64>
    /// `15 · outC` int32 code thresholds (`WeightedLayer.prepareCodes`).
    let thresholds: UnsafeMutablePointer<Int32>
    let lists: UnsafeMutablePointer<UInt16>

    init(scratch: UnsafeMutableRawPointer, layer: LayerRecord, accumulatorBytes: Int) {
        wide = scratch + PackedFormat.aligned(accumulatorBytes)
        tapPrefix = (scratch + Self.prefixOffset(layer, accumulatorBytes: accumulatorBytes)).assumingMemoryBound(to: UInt32.self)
        offsets = (scratch + Self.offsetsOffset(layer, accumulatorBytes: accumulatorBytes)).assumingMemoryBound(to: Int64.self)
        thresholds = (scratch + Self.thresholdsOffset(layer, accumulatorBytes: accumulatorBytes)).assumingMemoryBound(to: Int32.self)
        lists = (scratch + Self.listsOffset(layer, accumulatorBytes: accumulatorBytes)).assumingMemoryBound(to: UInt16.self)
    }

    @inline(__always)
    static func prefixOffset(_ layer: LayerRecord, accumulatorBytes: Int) -> Int {
        PackedFormat.aligned(accumulatorBytes) + layer.outW * layer.outC * 4
    }

    @inline(__always)
    static func offsetsOffset(_ layer: LayerRecord, accumulatorBytes: Int) -> Int {
        PackedFormat.aligned(prefixOffset(layer, accumulatorBytes: accumulatorBytes) + layer.inC * prefixEntries(layer) * 4)
    }

    @inline(__always)
    static func thresholdsOffset(_ layer: LayerRecord, accumulatorBytes: Int) -> Int {
        PackedFormat.aligned(offsetsOffset(layer, accumulatorBytes: accumulatorBytes) + layer.outC * 8)
    }

    @inline(__always)
    static func listsOffset(_ layer: LayerRecord, accumulatorBytes: Int) -> Int {
        PackedFormat.aligned(thresholdsOffset(layer, accumulatorBytes: accumulatorBytes)
                             + layer.outC * WeightedLayer.maxThresholdTimesteps * 4)
    }

    /// Tap prefix-sum entries per input channel: `(kernelH + 1)(kernelW + 1)`.
    @inline(__always)
    static func prefixEntries(_ layer: LayerRecord) -> Int {
        layer.kind == .linear ? (layer.inH + 1) * (layer.inW + 1) : (layer.kernelH + 1) * (layer.kernelW + 1)
    }

    /// Scratch bytes needed by the event gather of `layer` after `accumulatorBytes`.
    /// Whether the event gather takes the layer's weights: int8, in tiles of 32 output channels.
    @inline(__always)
    static func weightsFit(_ layer: LayerRecord) -> Bool { layer.weightBits == 8 && layer.outC % 32 == 0 }

    /// The event gather's scratch for `layer` in `mode`, planned by shape on every target: int8
    /// weights, a multiple of 32 output channels, fewer than 4096 input channels (256 for the
    /// model input), in the QNN and the layer-wise SNN (accumulators of one pixel, or of the whole
    /// layer for a spiking input's per-step passes); 0 elsewhere.
    static func planned(_ layer: LayerRecord, mode: ExecutionMode) -> Int {
        guard layer.isWeighted, weightsFit(layer), layer.inC < (layer.readsModelInput ? 256 : 4096) else { return 0 }
        switch mode {
        case .qnn: return bytes(layer, accumulatorBytes: layer.outC * 4)
        case .snnLayerwise:
            return bytes(layer, accumulatorBytes: layer.readsModelInput ? layer.outC * 4 : layer.outputCount * 4)
        case .snnStreaming: return 0
        }
    }

    static func bytes(_ layer: LayerRecord, accumulatorBytes: Int) -> Int {
        let kernelRows = layer.kind == .linear ? layer.inH : layer.kernelH
        return listsOffset(layer, accumulatorBytes: accumulatorBytes)
            + EventRows.bytes(slots: kernelRows, width: layer.inW, channels: layer.inC)
    }
}
