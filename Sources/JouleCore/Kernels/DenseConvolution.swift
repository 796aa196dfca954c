#if JOULE_AVX2 && arch(x86_64)
import _Builtin_intrinsics.intel

/// The dense convolution of the QNN on x86 with AVX2: every tap of every input, four input
/// channels at a time with `vpmaddubsw` (unsigned codes × int8 weights, 32 products per
/// instruction), register-blocked over 4 output pixels × 16 output channels. For layers whose
/// inputs are too dense for the event gather to skip much (more than a few per cent non-zero)
/// it does the same work in fewer instructions: no lists, no per-event loads.
///
/// Layout (`DenseScratch`): the input is copied channels-last with a zero border (each pixel's
/// four-channel groups are one 32-bit broadcast), the weights of one 16-channel tile are
/// interleaved as `[group][tap][channel][4 inputs]` before the tile runs (a pass over the
/// layer's weights per inference; no format change, the file keeps its rows).
///
/// Exactness: codes are at most `m = T ≤ 15`, so each 16-bit lane of `vpmaddubsw` is a sum of
/// two products of magnitude at most `128 · m` — never saturated — and `K = ⌊32767 / (256 · m)⌋`
/// of them can be added in 16 bits; every `K` steps (and at the end) the lanes are widened and
/// pair-summed into int32 with `vpmaddwd` against ones. The results equal the plain kernel's bit
/// for bit (`DenseConvolutionTests`).
///
/// Built only with `-D JOULE_AVX2` on x86_64 (Package.swift sets it with `-target-cpu native`
/// where the host has AVX2); elsewhere the event gather and plain kernels run.
extension WeightedLayer {
    /// Runs the layer over `input` (CHW values `0…maxValue`: codes with `1 ≤ maxValue ≤ 15`, or
    /// the model input's bytes with `maxValue ≤ 255`) into `output` (CHW codes,
    /// `outC · outH · outW` bytes). `layout.thresholds` must hold this run's code thresholds
    /// (`prepareDenseCodes`).
    /// - Precondition: `DenseScratch.supports(record)`; `maxValue > 15` only for the model input.
    func denseConvolution(input: UnsafePointer<UInt8>, maxValue: Int, layout: DenseScratch,
                          timesteps t: Int, output: UnsafeMutablePointer<UInt8>) {
        let r = record
        let channels = DenseScratch.channels(r), width = DenseScratch.width(r)
        let groups = channels / 4, taps = kernelH * kernelW
        let split = maxValue > 15
        let planeBytes = DenseScratch.planeBytes(r)
        Self.copyChannelsLast(input, record: r, padH: padH, padW: padW, into: layout.input,
                              channels: channels, width: width, planeBytes: planeBytes, split: split)
        let limit = max(1, 32767 / (256 * min(maxValue, 15)))
        let plane = r.outH * r.outW
        let rowStride = width * channels
        let span = DenseScratch.span(r), tileBytes = groups * taps * 64
        var first = 0
        while first < r.outC {
            interleaveSpan(first, span: span, into: layout.weights, groups: groups)
            for s in 0..<(span / DenseScratch.tileChannels) {
                let tile = first + s * DenseScratch.tileChannels
                let tileWeights = UnsafeRawPointer(layout.weights) + s * tileBytes
                for oy in 0..<r.outH {
                    var bx = 0
                    while bx < r.outW {
                        let origin = UnsafeRawPointer(layout.input) + (oy * width + bx) * channels
                        Self.clear(layout.sums)
                        Self.block(origin, weights: tileWeights, groups: groups, kernelH: kernelH, kernelW: kernelW,
                                   channels: channels, rowStride: rowStride, limit: limit, scale: 1, sums: layout.sums)
                        if split {
                            // The high 4-bit halves, weighed 16.
                            Self.block(origin + planeBytes, weights: tileWeights, groups: groups, kernelH: kernelH,
                                       kernelW: kernelW, channels: channels, rowStride: rowStride, limit: limit,
                                       scale: 16, sums: layout.sums)
                        }
                        storeBlockCodes(layout, tile: tile, timesteps: t, output: output + oy * r.outW + bx,
                                        plane: plane, pixels: min(DenseScratch.pixels, r.outW - bx))
                        bx += DenseScratch.pixels
                    }
                }
            }
            first += span
        }
    }

    /// Fills `layout.thresholds` for a run with `T` timesteps (`T ≤ 15`) and input scale `k`, in
    /// channel order: `θ_{j,n}` at `(n − 1) · outC + j`.
    func prepareDenseCodes(_ layout: DenseScratch, k: Int64, timesteps t: Int) {
        for j in 0..<record.outC {
            Requantize.fillCodeThresholds(layout.thresholds + j, stride: record.outC, timesteps: t,
                                          multiplier: multiplier(j), offset: Int64(widening: t) &* bias(j),
                                          shift: record.shift, scale: k)
        }
    }

    /// Copies CHW `input` into the channels-last buffer `out` (zeroed first: the border, the
    /// padding channels); with `split`, low 4-bit halves into the first plane and high ones
    /// into the second, `planeBytes` later.
    @inline(__always)
    static func copyChannelsLast(_ input: UnsafePointer<UInt8>, record r: LayerRecord, padH: Int, padW: Int,
                                 into out: UnsafeMutablePointer<UInt8>, channels: Int, width: Int,
                                 planeBytes: Int, split: Bool) {
        out.update(repeating: 0, count: planeBytes * (split ? 2 : 1))
        let plane = r.inH * r.inW
        for y in 0..<r.inH {
            let line = out + ((y + padH) * width + padW) * channels
            for c in 0..<r.inC {
                let src = input + c * plane + y * r.inW
                var x = 0
                if split {
                    while x < r.inW {
                        line[x &* channels &+ c] = src[x] & 15
                        line[planeBytes &+ x &* channels &+ c] = src[x] &>> 4
                        x &+= 1
                    }
                } else {
                    while x < r.inW {
                        line[x &* channels &+ c] = src[x]
                        x &+= 1
                    }
                }
            }
        }
    }

    /// Interleaves the weights of output channels `first…first+span−1` for `vpmaddubsw` (layout
    /// in `DenseScratch.weights`), reading each weight row's `span` bytes together.
    @inline(__always)
    func interleaveSpan(_ first: Int, span: Int, into out: UnsafeMutableRawPointer, groups: Int) {
        let taps = kernelH * kernelW, inC = record.inC, rowBytes = record.rowBytes
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
    }

    /// Zeroes a block's int32 sums.
    @inline(__always)
    static func clear(_ sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm256_setzero_si256()
        for i in 0..<(DenseScratch.pixels * DenseScratch.tileChannels / 8) {
            UnsafeMutableRawPointer(sums).storeBytes(of: zero, toByteOffset: 32 * i, as: __m256i.self)
        }
    }

    /// Adds `scale` times the sums of 4 output pixels (`origin`: the channels-last input at the
    /// top-left tap of the first) × 16 channels into `sums` (pixel-major, channel order).
    @inline(__always)
    static func block(_ origin: UnsafeRawPointer, weights: UnsafeRawPointer, groups: Int, kernelH: Int,
                      kernelW: Int, channels: Int, rowStride: Int, limit: Int, scale: Int16,
                      sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm256_setzero_si256()
        let weigh = _mm256_set1_epi16(scale)
        var a0 = zero, b0 = zero, a1 = zero, b1 = zero, a2 = zero, b2 = zero, a3 = zero, b3 = zero
        var pending = 0
        var w = weights
        var group = origin
        let c1 = channels, c2 = channels &* 2, c3 = channels &* 3
        for _ in 0..<groups {
            var line = group
            for _ in 0..<kernelH {
                var x = line
                for _ in 0..<kernelW {
                    let w0 = w.load(as: __m256i.self), w1 = w.load(fromByteOffset: 32, as: __m256i.self)
                    let x0 = _mm256_set1_epi32(x.loadUnaligned(as: Int32.self))
                    let x1 = _mm256_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                    let x2 = _mm256_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                    let x3 = _mm256_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                    a0 = _mm256_add_epi16(a0, _mm256_maddubs_epi16(x0, w0))
                    b0 = _mm256_add_epi16(b0, _mm256_maddubs_epi16(x0, w1))
                    a1 = _mm256_add_epi16(a1, _mm256_maddubs_epi16(x1, w0))
                    b1 = _mm256_add_epi16(b1, _mm256_maddubs_epi16(x1, w1))
                    a2 = _mm256_add_epi16(a2, _mm256_maddubs_epi16(x2, w0))
                    b2 = _mm256_add_epi16(b2, _mm256_maddubs_epi16(x2, w1))
                    a3 = _mm256_add_epi16(a3, _mm256_maddubs_epi16(x3, w0))
                    b3 = _mm256_add_epi16(b3, _mm256_maddubs_epi16(x3, w1))
                    w += 64
                    x += c1
                    pending &+= 1
                    if pending == limit {
                        flush(&a0, &b0, &a1, &b1, &a2, &b2, &a3, &b3, weigh: weigh, into: sums)
                        pending = 0
                    }
                }
                line += rowStride
            }
            group += 4
        }
        flush(&a0, &b0, &a1, &b1, &a2, &b2, &a3, &b3, weigh: weigh, into: sums)
    }

    /// Adds the 16-bit pair sums, times `weigh` (16-bit lanes of 1 or 16), into the int32
    /// `sums` and zeroes them.
    @inline(__always)
    static func flush(_ a0: inout __m256i, _ b0: inout __m256i, _ a1: inout __m256i, _ b1: inout __m256i,
                      _ a2: inout __m256i, _ b2: inout __m256i, _ a3: inout __m256i, _ b3: inout __m256i,
                      weigh ones: __m256i, into sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm256_setzero_si256()
        let s = UnsafeMutableRawPointer(sums)
        @inline(__always)
        func add(_ v: __m256i, _ offset: Int) {
            let old = s.load(fromByteOffset: offset, as: __m256i.self)
            s.storeBytes(of: _mm256_add_epi32(old, _mm256_madd_epi16(v, ones)), toByteOffset: offset, as: __m256i.self)
        }
        add(a0, 0); add(b0, 32); add(a1, 64); add(b1, 96)
        add(a2, 128); add(b2, 160); add(a3, 192); add(b3, 224)
        a0 = zero; b0 = zero; a1 = zero; b1 = zero; a2 = zero; b2 = zero; a3 = zero; b3 = zero
    }

    /// Codes of the block's sums against the channel-ordered thresholds, stored into the CHW
    /// output at `output` (pixel 0 of the block, channel 0) for the first `pixels` pixels.
    @inline(__always)
    func storeBlockCodes(_ layout: DenseScratch, tile: Int, timesteps t: Int, output: UnsafeMutablePointer<UInt8>,
                         plane: Int, pixels: Int) {
        let outC = record.outC
        let th = UnsafeRawPointer(layout.thresholds) + 4 * tile
        let raw = UnsafeRawPointer(layout.sums)
        for p in 0..<pixels {
            for half in 0..<2 {
                let a = raw.load(fromByteOffset: 64 * p + 32 * half, as: SIMD8<Int32>.self)
                var code = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: t))
                for n in 0..<t {
                    let below = a .< th.loadUnaligned(fromByteOffset: 4 * (n * outC + 8 * half), as: SIMD8<Int32>.self)
                    code &+= SIMD8<Int32>(repeating: 0).replacing(with: -1, where: below)
                }
                let base = output + (tile + 8 * half) * plane + p
                for i in 0..<8 { base[i * plane] = UInt8(truncatingIfNeeded: code[i]) }
            }
        }
    }
}
#endif
