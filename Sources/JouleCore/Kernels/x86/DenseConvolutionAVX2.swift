#if JOULE_AVX2 && arch(x86_64)
import _Builtin_intrinsics.intel

/// The dense convolution of the QNN on x86 with AVX2: every tap of every input, four input
/// channels at a time with `vpmaddubsw` (unsigned codes × int8 weights, 32 products per
/// instruction), register-blocked over 4 output pixels × 16 output channels. For inputs too
/// dense for the event gather to skip much it does the same work in far fewer instructions: no
/// lists, no per-event loads. For sparser inputs, a mask per block of output pixels lists the
/// input-channel groups with a non-zero value in the block's window, and only those are visited.
/// The model input's layer (`DenseScratch.wide`: bytes up to 255) runs `vpmaddwd` instead, two
/// 16-bit values × int16 weights per int32 lane, accumulated in int32.
///
/// Layout (`DenseScratch`): the input is copied channels-last with a zero border (each pixel's
/// four-byte groups are one 32-bit broadcast: four codes, or two 16-bit values); the weights of
/// one span of up to 64 output channels are interleaved as `[tile][group][tap][channel][4 inputs]`
/// (prepacked once, or before the span runs: a pass over the layer's weights per inference,
/// reading each row's span as one cache line; no format change, the file keeps its rows).
///
/// Exactness: codes are at most `m = maxValue ≤ 15` (`T ≤ 15`), so each 16-bit lane of
/// `vpmaddubsw` is a sum of two products `x_a · w_a + x_b · w_b` of
/// magnitude at most `m · (|w_a| + |w_b|) ≤ 256 · m` — never saturated. A group of taps adds at
/// most `m · B` to a lane, `B` the tile's weight bound (`tileBound`: the largest over its groups
/// and lanes of `Σ_taps (|w_a| + |w_b|)`, made with the interleaved weights), so `⌊32767 / m⌋ / B`
/// groups fit 16 bits; where not even one does, `K = ⌊32767 / (256 · m)⌋` taps do whatever the
/// weights. The lanes are pair-summed into int32 with `vpmaddwd` against ones before a group
/// would pass the budget (or every `K` taps) and at the end. Wide lanes add at most
/// `inC · taps · 255 · 128 < 2^31` (`DenseScratch.supports`). Skipped groups add only zeros.
/// The results equal the plain kernel's bit for bit (`DenseConvolutionTests`, which drive the
/// lanes to both bounds).
///
/// Built only with `-D JOULE_AVX2` on x86_64 (Package.swift sets it for `JOULE_ISA=avx2` and
/// `avx512vnni`); elsewhere the event gather and plain kernels run.
extension WeightedLayer {
    /// Fills `layout`'s group masks from the layer's CHW input and returns the number of (output
    /// block, input-channel group) pairs with a non-zero input in the block's window: the dense
    /// kernel's work, `outH · blocks · groups` for a dense input (`densePicoseconds(activeGroups:…)`).
    /// Reads the input once, 32 values of 4 channels per step; touches no channels-last copy,
    /// so that choosing the event gather afterwards wastes little.
    /// - Precondition: `DenseScratch.masks(record)` (folded taps and `wide` pairs of values use
    ///   `denseAllGroups`).
    func denseGroupMasks(_ input: UnsafePointer<UInt8>, layout: DenseScratch) -> Int {
        let r = record
        let words = DenseScratch.maskWords(r)
        let groups = DenseScratch.channels(r) / 4, plane = r.inH * r.inW
        // Pixel masks, unpadded: input pixel p's at p · words.
        layout.pixelMasks.update(repeating: 0, count: plane * words)
        let zero = _mm256_setzero_si256()
        for g in 0..<groups {
            let bit = UInt64(1) &<< UInt64(g & 63)
            let masks = layout.pixelMasks + (g >> 6)
            let first = input + 4 * g * plane, channels = min(r.inC, 4 * g + 4) - 4 * g
            var p = 0
            while p + 32 <= plane {
                var v = _mm256_loadu_si256(UnsafeRawPointer(first + p).assumingMemoryBound(to: __m256i.self))
                for c in 1..<channels {
                    v = _mm256_or_si256(v, _mm256_loadu_si256(UnsafeRawPointer(first + c * plane + p).assumingMemoryBound(to: __m256i.self)))
                }
                var set = ~UInt32(truncatingIfNeeded: _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, zero)))
                while set != 0 {
                    masks[(p + set.trailingZeroBitCount) * words] |= bit
                    set &= set &- 1
                }
                p += 32
            }
            while p < plane {
                var v = first[p]
                for c in 1..<channels { v |= first[c * plane + p] }
                if v != 0 { masks[p * words] |= bit }
                p += 1
            }
        }
        return fillDenseBlockMasks(layout)
    }

    /// Runs the layer over `input` (CHW values `0…maxValue`: codes with `1 ≤ maxValue ≤ 15`, or
    /// the model input's bytes with `maxValue ≤ 255`) into `output` (CHW codes,
    /// `outC · outH · outW` bytes), visiting for each block only the groups its mask has.
    /// `layout` must hold this input's masks (`denseGroupMasks`) and this run's code thresholds
    /// (`prepareChannelCodes`). `prepacked`: the layer's weights as `prepackDenseWeights` lays
    /// them (32-byte aligned), or nil to re-lay each span into `layout.weights` as it runs.
    /// - Precondition: `DenseScratch.supports(record)`; `maxValue > 15` only for the model input.
    func denseConvolution(input: UnsafePointer<UInt8>, maxValue: Int, layout: DenseScratch, prepacked: UnsafeRawPointer?,
                          timesteps t: Int, output: UnsafeMutablePointer<UInt8>) {
        let r = record
        let channels = DenseScratch.channels(r), width = DenseScratch.width(r)
        let kh = DenseScratch.kernelH(r), kw = DenseScratch.kernelW(r)
        let groups = channels / 4, taps = kh * kw
        let wide = DenseScratch.wide(r)
        let words = DenseScratch.maskWords(r), blockCount = DenseScratch.blockCount(r)
        // The copies write the input's values; the border, padding channels and columns stay 0.
        layout.input.update(repeating: 0, count: DenseScratch.inputBytes(r))
        if DenseScratch.folds(r) {
            copyFoldedWindows(input, into: layout.input, channels: channels, wide: wide)
        } else if wide {
            copyChannelsLastWide(input, into: layout.input, channels: channels, width: width)
        } else {
            Self.copyChannelsLast(input, record: r, padH: padH, padW: padW, into: layout.input,
                                  channels: channels, width: width)
        }
        let m = min(maxValue, 15)
        // A lane adds at most 2 · 128 · m per tap: this many taps fit 16 bits whatever the weights.
        let tapLimit = max(1, 32767 / (256 * m))
        let plane = r.outH * r.outW
        let rowStride = width * channels
        let span = DenseScratch.span(r), tileBytes = DenseScratch.tileBytes(r)
        var first = 0
        while first < r.outC {
            let spanWeights: UnsafeRawPointer
            if let prepacked {
                spanWeights = prepacked + first / span * DenseScratch.spanWeightBytes(r)
            } else {
                interleaveSpan(first, into: layout.weights)
                spanWeights = UnsafeRawPointer(layout.weights)
            }
            #if JOULE_AVX512VNNI
            // VNNI: int32 lanes, no 16-bit budget; 4 tiles at a time where the span has them,
            // else 2 (or 1) (`blockVNNI`).
            let tiles = span / DenseScratch.tileChannels
            let step = tiles % 4 == 0 ? 4 : (tiles % 2 == 0 ? 2 : 1)
            var s = 0
            while s < tiles {
                let tile = first + s * DenseScratch.tileChannels
                var walk = DenseBlockWalk(r)
                var b = 0
                while b < blockCount {
                    let at = walk.next()
                    let mask = UnsafePointer(layout.blockMasks + b * words)
                    // Two tiles: two blocks at once where the next one continues the row with the
                    // same groups (every pair of a dense input's in-row blocks).
                    var pairs = step == 2 && at.pixels == DenseScratch.pixels && walk.continuesRow
                        && at.offsets == (channels, channels * 2, channels * 3)
                    if pairs { for k in 0..<words where mask[k] != mask[words + k] { pairs = false } }
                    if pairs {
                        Self.blockEightShapesVNNI(UnsafeRawPointer(layout.input) + at.origin,
                                                  weights: spanWeights + s * tileBytes, tileBytes: tileBytes, mask: mask,
                                                  words: words, kernelH: kh, kernelW: kw, channels: channels,
                                                  rowStride: rowStride, sums: layout.sums)
                        _ = walk.next()
                        // The sums: tile 0, pixels 0–3; tile 1, 0–3; tile 0, 4–7; tile 1, 4–7.
                        let block = DenseScratch.pixels * DenseScratch.tileChannels
                        for k in 0..<2 {
                            storeEightCodes512(layout.sums + k * block, layout.sums + (k + 2) * block,
                                               thresholds: layout.thresholds, tile: tile + k * DenseScratch.tileChannels,
                                               timesteps: t, output: output + at.pixel, plane: plane)
                        }
                        b += 2
                        continue
                    }
                    Self.blockVNNI(UnsafeRawPointer(layout.input) + at.origin, offsets: at.offsets,
                                   weights: spanWeights + s * tileBytes, tileBytes: tileBytes, tiles: step, mask: mask,
                                   words: words, kernelH: kh, kernelW: kw, channels: channels, rowStride: rowStride,
                                   sums: layout.sums)
                    for k in 0..<step {
                        storeBlockCodes512(layout.sums + k * DenseScratch.pixels * DenseScratch.tileChannels,
                                           thresholds: layout.thresholds, tile: tile + k * DenseScratch.tileChannels,
                                           timesteps: t, output: output + at.pixel, plane: plane, pixels: at.pixels)
                    }
                    b += 1
                }
                s += step
            }
            #else
            for s in 0..<(span / DenseScratch.tileChannels) {
                let tile = first + s * DenseScratch.tileChannels
                let tileWeights = spanWeights + s * tileBytes
                // A group adds at most m · bound to a lane, so `⌊32767 / m⌋ / bound` groups fit 16
                // bits between widenings.
                let bound = Int(spanWeights.load(fromByteOffset: span / DenseScratch.tileChannels * tileBytes + 4 * s,
                                                 as: UInt32.self))
                let fitting = bound == 0 ? groups : 32767 / m / bound
                // Wide layers add into int32 lanes: one widening, at the end.
                let limit = wide ? groups * taps : max(tapLimit, min(groups, fitting) * taps)
                var walk = DenseBlockWalk(r)
                for b in 0..<blockCount {
                    let at = walk.next()
                    let mask = UnsafePointer(layout.blockMasks + b * words)
                    Self.block(UnsafeRawPointer(layout.input) + at.origin, offsets: at.offsets, weights: tileWeights,
                               mask: mask, words: words, kernelH: kh, kernelW: kw, channels: channels,
                               rowStride: rowStride, limit: limit, wide: wide, sums: layout.sums)
                    storeBlockCodes(layout.sums, thresholds: layout.thresholds, tile: tile, timesteps: t,
                                    output: output + at.pixel, plane: plane, pixels: at.pixels)
                }
            }
            #endif
            first += span
        }
    }

    /// Copies CHW codes `input` into the zeroed channels-last buffer `out` (the border and the
    /// padding channels stay 0). Sixteen channels × 16 or 8 pixels per step where there are 16
    /// channels left and the row has 8 pixels (`storeSixteenChannels`: one 16-byte store per
    /// pixel), else four channels × 16, 8 or 4 pixels (the
    /// widest that fits the row): their rows interleaved byte- then word-wise, one 32-bit store
    /// per pixel; a row's last step starts at `inW − width`, overlapping the one before it with
    /// the same values (no scalar tail; W2's rows are 28, 14 and 7 pixels). Rows under 4
    /// pixels go one value at a time.
    @inline(__always)
    static func copyChannelsLast(_ input: UnsafePointer<UInt8>, record r: LayerRecord, padH: Int, padW: Int,
                                 into out: UnsafeMutablePointer<UInt8>, channels: Int, width: Int) {
        let plane = r.inH * r.inW
        let step = r.inW >= 16 ? 16 : (r.inW >= 8 ? 8 : 4)
        let zero = _mm_setzero_si128()
        @inline(__always)
        func load(_ at: UnsafePointer<UInt8>) -> __m128i {
            switch step {
            case 16: return UnsafeRawPointer(at).loadUnaligned(as: __m128i.self)
            case 8: return _mm_cvtsi64_si128(Int64(bitPattern: UnsafeRawPointer(at).loadUnaligned(as: UInt64.self)))
            default: return _mm_cvtsi32_si128(Int32(bitPattern: UnsafeRawPointer(at).loadUnaligned(as: UInt32.self)))
            }
        }
        for y in 0..<r.inH {
            let line = out + ((y + padH) * width + padW) * channels
            var c = 0
            while c < r.inC {
                let rows = input + c * plane + y * r.inW
                let n = min(4, r.inC - c)
                if r.inW < 4 {
                    for x in 0..<r.inW {
                        for k in 0..<n { line[x * channels + c + k] = rows[k * plane + x] }
                    }
                    c += 4
                    continue
                }
                if r.inC - c >= 16 && step >= 8 {
                    // Sixteen channels at once: a 16 × 16 byte transpose, then one 16-byte store
                    // per pixel (its 16 channels) instead of four 32-bit ones.
                    var x = 0
                    while x < r.inW {
                        if x + step > r.inW { x = r.inW - step }
                        Self.storeSixteenChannels(rows + x, plane: plane, load: load, at: line + x * channels + c,
                                                  stride: channels, pixels: step)
                        x += step
                    }
                    c += 16
                    continue
                }
                var x = 0
                while x < r.inW {
                    if x + step > r.inW { x = r.inW - step }
                    let v0 = load(rows + x)
                    let v1 = n > 1 ? load(rows + plane + x) : zero
                    let v2 = n > 2 ? load(rows + 2 * plane + x) : zero
                    let v3 = n > 3 ? load(rows + 3 * plane + x) : zero
                    Self.storeQuads(v0, v1, v2, v3, at: line + x * channels + c, stride: channels, pixels: step)
                    x += step
                }
                c += 4
            }
        }
    }

    /// Transposes 16 channels (rows `first + c · plane`, read by `load`: 16 or 8 pixels, the rest
    /// zero) into `pixels` (16 or 8) stores of 16 bytes, pixel `p`'s 16 channels at
    /// `at + p · stride`: bytes, then 16-, 32- and 64-bit lanes interleaved (64 unpacks).
    @inline(__always)
    static func storeSixteenChannels(_ first: UnsafePointer<UInt8>, plane: Int, load: (UnsafePointer<UInt8>) -> __m128i,
                                     at: UnsafeMutablePointer<UInt8>, stride: Int, pixels: Int) {
        let a0 = load(first)
        let a1 = load(first + 1 * plane)
        let a2 = load(first + 2 * plane)
        let a3 = load(first + 3 * plane)
        let a4 = load(first + 4 * plane)
        let a5 = load(first + 5 * plane)
        let a6 = load(first + 6 * plane)
        let a7 = load(first + 7 * plane)
        let a8 = load(first + 8 * plane)
        let a9 = load(first + 9 * plane)
        let a10 = load(first + 10 * plane)
        let a11 = load(first + 11 * plane)
        let a12 = load(first + 12 * plane)
        let a13 = load(first + 13 * plane)
        let a14 = load(first + 14 * plane)
        let a15 = load(first + 15 * plane)
        let b0 = _mm_unpacklo_epi8(a0, a1), b1 = _mm_unpackhi_epi8(a0, a1)
        let b2 = _mm_unpacklo_epi8(a2, a3), b3 = _mm_unpackhi_epi8(a2, a3)
        let b4 = _mm_unpacklo_epi8(a4, a5), b5 = _mm_unpackhi_epi8(a4, a5)
        let b6 = _mm_unpacklo_epi8(a6, a7), b7 = _mm_unpackhi_epi8(a6, a7)
        let b8 = _mm_unpacklo_epi8(a8, a9), b9 = _mm_unpackhi_epi8(a8, a9)
        let b10 = _mm_unpacklo_epi8(a10, a11), b11 = _mm_unpackhi_epi8(a10, a11)
        let b12 = _mm_unpacklo_epi8(a12, a13), b13 = _mm_unpackhi_epi8(a12, a13)
        let b14 = _mm_unpacklo_epi8(a14, a15), b15 = _mm_unpackhi_epi8(a14, a15)
        let c0 = _mm_unpacklo_epi16(b0, b2), c1 = _mm_unpackhi_epi16(b0, b2)
        let c2 = _mm_unpacklo_epi16(b1, b3), c3 = _mm_unpackhi_epi16(b1, b3)
        let c4 = _mm_unpacklo_epi16(b4, b6), c5 = _mm_unpackhi_epi16(b4, b6)
        let c6 = _mm_unpacklo_epi16(b5, b7), c7 = _mm_unpackhi_epi16(b5, b7)
        let c8 = _mm_unpacklo_epi16(b8, b10), c9 = _mm_unpackhi_epi16(b8, b10)
        let c10 = _mm_unpacklo_epi16(b9, b11), c11 = _mm_unpackhi_epi16(b9, b11)
        let c12 = _mm_unpacklo_epi16(b12, b14), c13 = _mm_unpackhi_epi16(b12, b14)
        let c14 = _mm_unpacklo_epi16(b13, b15), c15 = _mm_unpackhi_epi16(b13, b15)
        let d0_0 = _mm_unpacklo_epi32(c0, c4), d0_1 = _mm_unpackhi_epi32(c0, c4)
        let d0_2 = _mm_unpacklo_epi32(c1, c5), d0_3 = _mm_unpackhi_epi32(c1, c5)
        let d0_4 = _mm_unpacklo_epi32(c2, c6), d0_5 = _mm_unpackhi_epi32(c2, c6)
        let d0_6 = _mm_unpacklo_epi32(c3, c7), d0_7 = _mm_unpackhi_epi32(c3, c7)
        let d1_0 = _mm_unpacklo_epi32(c8, c12), d1_1 = _mm_unpackhi_epi32(c8, c12)
        let d1_2 = _mm_unpacklo_epi32(c9, c13), d1_3 = _mm_unpackhi_epi32(c9, c13)
        let d1_4 = _mm_unpacklo_epi32(c10, c14), d1_5 = _mm_unpackhi_epi32(c10, c14)
        let d1_6 = _mm_unpacklo_epi32(c11, c15), d1_7 = _mm_unpackhi_epi32(c11, c15)
        let out = UnsafeMutableRawPointer(at)
        @inline(__always)
        func put(_ v: __m128i, _ p: Int) { out.storeBytes(of: v, toByteOffset: p &* stride, as: __m128i.self) }
        put(_mm_unpacklo_epi64(d0_0, d1_0), 0); put(_mm_unpackhi_epi64(d0_0, d1_0), 1)
        put(_mm_unpacklo_epi64(d0_1, d1_1), 2); put(_mm_unpackhi_epi64(d0_1, d1_1), 3)
        put(_mm_unpacklo_epi64(d0_2, d1_2), 4); put(_mm_unpackhi_epi64(d0_2, d1_2), 5)
        put(_mm_unpacklo_epi64(d0_3, d1_3), 6); put(_mm_unpackhi_epi64(d0_3, d1_3), 7)
        guard pixels > 8 else { return }
        put(_mm_unpacklo_epi64(d0_4, d1_4), 8); put(_mm_unpackhi_epi64(d0_4, d1_4), 9)
        put(_mm_unpacklo_epi64(d0_5, d1_5), 10); put(_mm_unpackhi_epi64(d0_5, d1_5), 11)
        put(_mm_unpacklo_epi64(d0_6, d1_6), 12); put(_mm_unpackhi_epi64(d0_6, d1_6), 13)
        put(_mm_unpacklo_epi64(d0_7, d1_7), 14); put(_mm_unpackhi_epi64(d0_7, d1_7), 15)
    }

    /// Copies the CHW model input `input` into the zeroed channels-last buffer `out` of a `wide`
    /// layer (the border and the padding channel stay 0): channel `c` of input pixel `(y, x)` as a
    /// UInt16 at byte `((y + padH) · width + x + padW) · channels + 2c`. One value at a time:
    /// first layers have few channels (W1's: 3 × 32 × 32 values).
    @inline(__always)
    func copyChannelsLastWide(_ input: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, channels: Int,
                              width: Int) {
        let r = record
        let raw = UnsafeMutableRawPointer(out)
        var src = input
        for c in 0..<r.inC {
            for y in 0..<r.inH {
                var at = ((y + padH) * width + padW) * channels + 2 * c
                for x in 0..<r.inW {
                    raw.storeBytes(of: UInt16(src[x]).littleEndian, toByteOffset: at, as: UInt16.self)
                    at &+= channels
                }
                src += r.inW
            }
        }
    }

    /// Stores the first `pixels` (16, 8 or 4) pixels of four channels (`a`, `b`, `c`, `d`: a
    /// byte per pixel) as four-byte groups, pixel `i`'s at `at + i · stride`.
    @inline(__always)
    static func storeQuads(_ a: __m128i, _ b: __m128i, _ c: __m128i, _ d: __m128i,
                           at: UnsafeMutablePointer<UInt8>, stride: Int, pixels: Int) {
        let ab = _mm_unpacklo_epi8(a, b), cd = _mm_unpacklo_epi8(c, d)
        let raw = UnsafeMutableRawPointer(at)
        @inline(__always)
        func put(_ v: __m128i, _ first: Int) {
            let q = unsafeBitCast(v, to: SIMD4<UInt32>.self)
            for i in 0..<4 { raw.storeBytes(of: q[i], toByteOffset: (first &+ i) &* stride, as: UInt32.self) }
        }
        put(_mm_unpacklo_epi16(ab, cd), 0)
        guard pixels > 4 else { return }
        put(_mm_unpackhi_epi16(ab, cd), 4)
        guard pixels > 8 else { return }
        let ab2 = _mm_unpackhi_epi8(a, b), cd2 = _mm_unpackhi_epi8(c, d)
        put(_mm_unpacklo_epi16(ab2, cd2), 8)
        put(_mm_unpackhi_epi16(ab2, cd2), 12)
    }

    /// Lays all the layer's weights out as `denseConvolution` reads them, span after span
    /// (`DenseScratch.prepackedBytes`), into `out` (32-byte aligned): what the kernel otherwise
    /// does per span and run.
    func prepackDenseWeights(into out: UnsafeMutableRawPointer) {
        let r = record
        let span = DenseScratch.span(r)
        var first = 0
        while first < r.outC {
            interleaveSpan(first, into: out + first / span * DenseScratch.spanWeightBytes(r))
            first += span
        }
    }

    /// `interleaveSpan` of the span starting at output channel `first`, with the kernel's span,
    /// groups, taps and input channels for this layer (folded or not).
    @inline(__always)
    func interleaveSpan(_ first: Int, into out: UnsafeMutableRawPointer) {
        let r = record
        let span = DenseScratch.span(r), groups = DenseScratch.channels(r) / 4
        let taps = DenseScratch.kernelH(r) * DenseScratch.kernelW(r)
        let inputs = DenseScratch.folds(r) ? r.inC * kernelH * kernelW : r.inC
        if DenseScratch.wide(r) {
            interleaveSpanWide(first, span: span, into: out, groups: groups, taps: taps, inputs: inputs)
        } else {
            interleaveSpan(first, span: span, into: out, groups: groups, taps: taps, inputs: inputs)
        }
    }

    /// Interleaves the weights of output channels `first…first+span−1` for `vpmaddubsw` (layout
    /// in `DenseScratch.weights`), reading each weight row's `span` bytes together, and stores
    /// each tile's weight bound after them (`tileBound`). `taps` and
    /// `inputs`: the window and input channels the kernel walks (`kernelH · kernelW` and `inC`,
    /// or 1 and `inC · kernelH · kernelW` folded — weight row `c · taps + tap` either way).
    @inline(__always)
    func interleaveSpan(_ first: Int, span: Int, into out: UnsafeMutableRawPointer, groups: Int, taps: Int, inputs: Int) {
        let inC = inputs, rowBytes = record.rowBytes
        let tileBytes = groups * taps * 64
        let zero = _mm_setzero_si128()
        for g in 0..<groups {
            for tap in 0..<taps {
                @inline(__always)
                func row(_ k: Int, _ s: Int) -> __m128i {
                    let c = 4 * g + k
                    guard c < inC else { return zero }
                    return (weights + (c * taps + tap) * rowBytes + first + 16 * s).loadUnaligned(as: __m128i.self)
                }
                for s in 0..<(span / DenseScratch.tileChannels) {
                    let r0 = row(0, s), r1 = row(1, s), r2 = row(2, s), r3 = row(3, s)
                    let a = _mm_unpacklo_epi8(r0, r1), b = _mm_unpacklo_epi8(r2, r3)  // channels 0…7
                    let c = _mm_unpackhi_epi8(r0, r1), d = _mm_unpackhi_epi8(r2, r3)  // channels 8…15
                    let dst = out + s * tileBytes + (g * taps + tap) * 64
                    dst.storeBytes(of: _mm_unpacklo_epi16(a, b), as: __m128i.self)
                    dst.storeBytes(of: _mm_unpackhi_epi16(a, b), toByteOffset: 16, as: __m128i.self)
                    dst.storeBytes(of: _mm_unpacklo_epi16(c, d), toByteOffset: 32, as: __m128i.self)
                    dst.storeBytes(of: _mm_unpackhi_epi16(c, d), toByteOffset: 48, as: __m128i.self)
                }
            }
        }
        for s in 0..<(span / DenseScratch.tileChannels) {
            let bound = Self.tileBound(UnsafeRawPointer(out + s * tileBytes), groups: groups, taps: taps)
            out.storeBytes(of: bound, toByteOffset: span / DenseScratch.tileChannels * tileBytes + 4 * s, as: UInt32.self)
        }
    }

    /// `interleaveSpan` for a `wide` layer (`vpmaddwd`): for tile `s`, group `g` (input channels
    /// `2g, 2g+1`, zero past `inputs`) and tap `t`, 64 bytes at `((s · groups + g) · taps + t) · 64`,
    /// output channel `q`'s two weights as int16 at `4q`. The tiles' bounds (unused: int32 lanes
    /// need no budget) are 0. Value by value: first layers have few weights (W1's: 3,456).
    func interleaveSpanWide(_ first: Int, span: Int, into out: UnsafeMutableRawPointer, groups: Int, taps: Int,
                            inputs: Int) {
        let rowBytes = record.rowBytes
        let tileBytes = groups * taps * 64, tiles = span / DenseScratch.tileChannels
        for s in 0..<tiles {
            for g in 0..<groups {
                for tap in 0..<taps {
                    let dst = out + s * tileBytes + (g * taps + tap) * 64
                    for q in 0..<DenseScratch.tileChannels {
                        for k in 0..<2 {
                            let c = 2 * g + k
                            let w = c < inputs
                                ? Int16((weights + (c * taps + tap) * rowBytes + first + 16 * s).load(fromByteOffset: q, as: Int8.self))
                                : 0
                            dst.storeBytes(of: w.littleEndian, toByteOffset: 4 * q + 2 * k, as: Int16.self)
                        }
                    }
                }
            }
        }
        for s in 0..<tiles { out.storeBytes(of: UInt32(0), toByteOffset: tiles * tileBytes + 4 * s, as: UInt32.self) }
    }

    /// The weight bound of one interleaved tile (`groups · taps · 64` bytes): the largest over
    /// its groups and its 32 lanes (output channel `q`'s input pairs `(4g, 4g+1)` and
    /// `(4g+2, 4g+3)`) of `Σ_taps (|w_a| + |w_b|)` — what a group can add to a 16-bit lane is at
    /// most that times the largest input value. Sums saturate at 65535, above every budget.
    static func tileBound(_ tile: UnsafeRawPointer, groups: Int, taps: Int) -> UInt32 {
        let ones = _mm_set1_epi8(1)
        var largest = _mm_setzero_si128()
        for g in 0..<groups {
            var s0 = _mm_setzero_si128(), s1 = s0, s2 = s0, s3 = s0
            for tap in 0..<taps {
                let at = tile + (g * taps + tap) * 64
                // |w| as unsigned bytes (|−128| = 128), pair-summed into 16-bit lanes.
                func pairs(_ offset: Int) -> __m128i {
                    _mm_maddubs_epi16(_mm_abs_epi8(at.loadUnaligned(fromByteOffset: offset, as: __m128i.self)), ones)
                }
                s0 = _mm_adds_epu16(s0, pairs(0)); s1 = _mm_adds_epu16(s1, pairs(16))
                s2 = _mm_adds_epu16(s2, pairs(32)); s3 = _mm_adds_epu16(s3, pairs(48))
            }
            largest = _mm_max_epu16(largest, _mm_max_epu16(_mm_max_epu16(s0, s1), _mm_max_epu16(s2, s3)))
        }
        let lanes = unsafeBitCast(largest, to: SIMD8<UInt16>.self)
        var bound: UInt16 = 0
        for i in 0..<8 { bound = Swift.max(bound, lanes[i]) }
        return UInt32(bound)
    }

    /// Stores the sums of 4 output pixels (`origin`: the channels-last input at the top-left tap of
    /// the first) × 16 channels into `sums` (pixel-major, channel order), over the input-channel
    /// groups set in `mask` (`words` UInt64): `vpmaddubsw` on codes into 16-bit lanes widened
    /// within `limit`, or (`wide`) `vpmaddwd` on 16-bit values into int32 lanes.
    ///
    /// When a whole group's taps fit in the 16-bit budget (`kernelH · kernelW ≤ limit`) the
    /// budget is checked once per group, and 3×3 and 1×1 windows run as straight-line code (the
    /// input broadcasts stay memory operands); otherwise it is checked after every tap.
    @inline(__always)
    static func block(_ origin: UnsafeRawPointer, offsets: (Int, Int, Int), weights: UnsafeRawPointer,
                      mask: UnsafePointer<UInt64>, words: Int, kernelH: Int, kernelW: Int, channels: Int,
                      rowStride: Int, limit: Int, wide: Bool, sums: UnsafeMutablePointer<Int32>) {
        // Spelled out per `wide` so that every call of `blockWindow` inlines with constant
        // window, `perGroup` and `wide` arguments.
        if wide {
            if kernelH == 3 && kernelW == 3 {
                blockWindow(origin, offsets: offsets, weights: weights, mask: mask, words: words, kernelH: 3, kernelW: 3,
                            channels: channels, rowStride: rowStride, limit: limit, perGroup: true, wide: true, sums: sums)
            } else if kernelH == 1 && kernelW == 1 {
                blockWindow(origin, offsets: offsets, weights: weights, mask: mask, words: words, kernelH: 1, kernelW: 1,
                            channels: channels, rowStride: rowStride, limit: limit, perGroup: true, wide: true, sums: sums)
            } else {
                blockWindow(origin, offsets: offsets, weights: weights, mask: mask, words: words, kernelH: kernelH, kernelW: kernelW,
                            channels: channels, rowStride: rowStride, limit: limit, perGroup: true, wide: true, sums: sums)
            }
        } else if kernelH &* kernelW <= limit {
            if kernelH == 3 && kernelW == 3 {
                blockWindow(origin, offsets: offsets, weights: weights, mask: mask, words: words, kernelH: 3, kernelW: 3,
                            channels: channels, rowStride: rowStride, limit: limit, perGroup: true, wide: false, sums: sums)
            } else if kernelH == 1 && kernelW == 1 {
                blockWindow(origin, offsets: offsets, weights: weights, mask: mask, words: words, kernelH: 1, kernelW: 1,
                            channels: channels, rowStride: rowStride, limit: limit, perGroup: true, wide: false, sums: sums)
            } else {
                blockWindow(origin, offsets: offsets, weights: weights, mask: mask, words: words, kernelH: kernelH, kernelW: kernelW,
                            channels: channels, rowStride: rowStride, limit: limit, perGroup: true, wide: false, sums: sums)
            }
        } else {
            blockWindow(origin, offsets: offsets, weights: weights, mask: mask, words: words, kernelH: kernelH, kernelW: kernelW,
                        channels: channels, rowStride: rowStride, limit: limit, perGroup: false, wide: false, sums: sums)
        }
    }

    /// `block`'s loop; `perGroup`: the 16-bit budget is checked before each group (requires
    /// `kernelH · kernelW ≤ limit`), else after each tap.
    @inline(__always)
    static func blockWindow(_ origin: UnsafeRawPointer, offsets: (Int, Int, Int), weights: UnsafeRawPointer,
                            mask: UnsafePointer<UInt64>,
                            words: Int, kernelH: Int, kernelW: Int, channels: Int, rowStride: Int, limit: Int,
                            perGroup: Bool, wide: Bool, sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm256_setzero_si256()
        var a0 = zero, b0 = zero, a1 = zero, b1 = zero, a2 = zero, b2 = zero, a3 = zero, b3 = zero
        var pending = 0
        var first = true  // the first widening stores the sums, the later ones add to them
        let (c1, c2, c3) = offsets  // pixels 1…3 from pixel 0
        let taps = kernelH &* kernelW
        let groupBytes = taps &* 64
        for word in 0..<words {
            var m = mask[word]
            while m != 0 {
                let g = word &* 64 &+ m.trailingZeroBitCount
                m &= m &- 1
                if perGroup {
                    if pending &+ taps > limit {
                        flush(&a0, &b0, &a1, &b1, &a2, &b2, &a3, &b3, wide: wide, first: first, into: sums)
                        first = false
                        pending = 0
                    }
                    pending &+= taps
                }
                var w = weights + g &* groupBytes
                var line = origin + 4 &* g
                for _ in 0..<kernelH {
                    var x = line
                    for _ in 0..<kernelW {
                        let w0 = w.load(as: __m256i.self), w1 = w.load(fromByteOffset: 32, as: __m256i.self)
                        let x0 = _mm256_set1_epi32(x.loadUnaligned(as: Int32.self))
                        let x1 = _mm256_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                        let x2 = _mm256_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                        let x3 = _mm256_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                        if wide {
                            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(x0, w0))
                            b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(x0, w1))
                            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(x1, w0))
                            b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(x1, w1))
                            a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(x2, w0))
                            b2 = _mm256_add_epi32(b2, _mm256_madd_epi16(x2, w1))
                            a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(x3, w0))
                            b3 = _mm256_add_epi32(b3, _mm256_madd_epi16(x3, w1))
                        } else {
                            a0 = _mm256_add_epi16(a0, _mm256_maddubs_epi16(x0, w0))
                            b0 = _mm256_add_epi16(b0, _mm256_maddubs_epi16(x0, w1))
                            a1 = _mm256_add_epi16(a1, _mm256_maddubs_epi16(x1, w0))
                            b1 = _mm256_add_epi16(b1, _mm256_maddubs_epi16(x1, w1))
                            a2 = _mm256_add_epi16(a2, _mm256_maddubs_epi16(x2, w0))
                            b2 = _mm256_add_epi16(b2, _mm256_maddubs_epi16(x2, w1))
                            a3 = _mm256_add_epi16(a3, _mm256_maddubs_epi16(x3, w0))
                            b3 = _mm256_add_epi16(b3, _mm256_maddubs_epi16(x3, w1))
                        }
                        w += 64
                        x += channels
                        if !perGroup {
                            pending &+= 1
                            if pending == limit {
                                flush(&a0, &b0, &a1, &b1, &a2, &b2, &a3, &b3, wide: wide, first: first, into: sums)
                                first = false
                                pending = 0
                            }
                        }
                    }
                    line += rowStride
                }
            }
        }
        flush(&a0, &b0, &a1, &b1, &a2, &b2, &a3, &b3, wide: wide, first: first, into: sums)
    }

    /// Adds the lanes into the int32 `sums` (`first`: stores them there) — 16-bit lanes
    /// pair-summed (`vpmaddwd` against ones), or `wide` int32 lanes as they are — and zeroes them.
    @inline(__always)
    static func flush(_ a0: inout __m256i, _ b0: inout __m256i, _ a1: inout __m256i, _ b1: inout __m256i,
                      _ a2: inout __m256i, _ b2: inout __m256i, _ a3: inout __m256i, _ b3: inout __m256i,
                      wide: Bool, first: Bool, into sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm256_setzero_si256(), ones = _mm256_set1_epi16(1)
        let s = UnsafeMutableRawPointer(sums)
        @inline(__always)
        func add(_ v: __m256i, _ offset: Int) {
            let lanes = wide ? v : _mm256_madd_epi16(v, ones)
            s.storeBytes(of: first ? lanes : _mm256_add_epi32(s.load(fromByteOffset: offset, as: __m256i.self), lanes),
                         toByteOffset: offset, as: __m256i.self)
        }
        add(a0, 0); add(b0, 32); add(a1, 64); add(b1, 96)
        add(a2, 128); add(b2, 160); add(a3, 192); add(b3, 224)
        a0 = zero; b0 = zero; a1 = zero; b1 = zero; a2 = zero; b2 = zero; a3 = zero; b3 = zero
    }

    /// Codes of the block's sums against the channel-ordered thresholds, stored into the CHW
    /// output at `output` (pixel 0 of the block, channel 0) for the first `pixels` pixels: a
    /// full block's 4 codes of a channel are adjacent in the output row, one 32-bit store.
    @inline(__always)
    func storeBlockCodes(_ sums: UnsafePointer<Int32>, thresholds: UnsafePointer<Int32>, tile: Int, timesteps t: Int,
                         output: UnsafeMutablePointer<UInt8>, plane: Int, pixels: Int) {
        let outC = record.outC
        let th = UnsafeRawPointer(thresholds) + 4 &* tile
        let raw = UnsafeRawPointer(sums)
        // Byte 4p + c of each 128-bit lane (pixel p, channel c) to byte 4c + p.
        let transpose = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
                                         0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)
        for half in 0..<2 {
            let a0 = raw.load(fromByteOffset: 32 * half, as: SIMD8<Int32>.self)
            let a1 = raw.load(fromByteOffset: 64 + 32 * half, as: SIMD8<Int32>.self)
            let a2 = raw.load(fromByteOffset: 128 + 32 * half, as: SIMD8<Int32>.self)
            let a3 = raw.load(fromByteOffset: 192 + 32 * half, as: SIMD8<Int32>.self)
            let top = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: t)), zero = SIMD8<Int32>(repeating: 0)
            var c0 = top, c1 = top, c2 = top, c3 = top
            for n in 0..<t {
                // −1 in the lanes that miss threshold n + 1.
                let theta = th.loadUnaligned(fromByteOffset: 4 &* (n &* outC &+ 8 &* half), as: SIMD8<Int32>.self)
                c0 &+= zero.replacing(with: -1, where: a0 .< theta)
                c1 &+= zero.replacing(with: -1, where: a1 .< theta)
                c2 &+= zero.replacing(with: -1, where: a2 .< theta)
                c3 &+= zero.replacing(with: -1, where: a3 .< theta)
            }
            // Codes 0…15 packed to bytes: lane k of each 128-bit half holds pixels 0…3 of
            // channels 4k…4k+3, then transposed so that each 32-bit word is one channel.
            let p01 = _mm256_packs_epi32(unsafeBitCast(c0, to: __m256i.self), unsafeBitCast(c1, to: __m256i.self))
            let p23 = _mm256_packs_epi32(unsafeBitCast(c2, to: __m256i.self), unsafeBitCast(c3, to: __m256i.self))
            let words = unsafeBitCast(_mm256_shuffle_epi8(_mm256_packus_epi16(p01, p23), transpose), to: SIMD8<UInt32>.self)
            let base = output + (tile &+ 8 &* half) &* plane
            if pixels == DenseScratch.pixels {
                for i in 0..<8 { UnsafeMutableRawPointer(base + i &* plane).storeBytes(of: words[i], as: UInt32.self) }
            } else {
                for i in 0..<8 {
                    for p in 0..<pixels { base[i &* plane &+ p] = UInt8(truncatingIfNeeded: words[i] &>> UInt32(truncatingIfNeeded: 8 &* p)) }
                }
            }
        }
    }
}
#endif
