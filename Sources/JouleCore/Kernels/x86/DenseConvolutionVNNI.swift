#if JOULE_AVX2 && JOULE_AVX512VNNI && arch(x86_64)
import _Builtin_intrinsics.intel

/// The dense convolution's block on x86 with AVX-512 VNNI (`-D JOULE_AVX512VNNI`, which
/// Package.swift sets for `JOULE_ISA=avx512vnni`; `Tools/lib/host-isa.sh` picks that where the
/// host has `avx512f`, `avx512bw`, `avx512vl` and `avx512_vnni`): the same interleaved weights,
/// channels-last input and group masks as the AVX2 block (`DenseConvolutionAVX2.swift`,
/// `DenseScratch`), but one 512-bit instruction per tap, pixel and tile of 16 output channels:
///
/// `vpdpbusd`: 16 int32 lanes, lane `q` adds `Σ_{k<4} x_k · w_{q,k}` (unsigned bytes × int8
/// weights) to its sum, without saturation — exact in int32 for codes and for the model input's
/// bytes up to 255 alike, so there is no 16-bit budget, no widening, no weight bound to check
/// and no 16-bit `wide` layout: the model input runs on bytes, four values a group
/// (`DenseScratch.wide` is false on these hosts; `DenseScratch.supports` bounds its sums).
///
/// One tap's 64 weight bytes of a tile are exactly one zmm register. The instruction has a
/// latency of several cycles and up to two issue each cycle, so a block keeps 16 independent
/// sums in flight (fewer leave issue slots empty): 4 output pixels × 4 tiles (64 channels)
/// where the span has them; with 2 tiles, 8 pixels (two in-row blocks, `blockEightVNNI`) or
/// else 4 pixels × 2 sets that alternate between kernel rows; with 1 tile, 4 pixels × 2 sets
/// alternating between input-channel groups (sets added at the end). Per
/// kernel row the window's input broadcasts serve its 3 taps (the row loop is not unrolled, so
/// that they stay in registers). The sums come out as the AVX2 block's do, one tile after the
/// other: tile `k`'s pixel `p`, channel `c` at `sums[64k + 16p + c]`, and `storeBlockCodes512`
/// turns each tile's into codes. Results equal the plain kernel's bit for bit
/// (`DenseConvolutionTests`, which run this block on VNNI hosts).
extension WeightedLayer {
    /// Stores the sums of 4 output pixels (`origin`: the channels-last input at the top-left tap
    /// of the first) × the `tiles` (1, 2 or 4) tiles of 16 channels at `weights`, `tileBytes`
    /// apart, into `sums` (tile after tile), over the input-channel groups set in `mask`.
    @inline(__always)
    static func blockVNNI(_ origin: UnsafeRawPointer, offsets: (Int, Int, Int), weights: UnsafeRawPointer,
                          tileBytes: Int, tiles: Int,
                          mask: UnsafePointer<UInt64>, words: Int, kernelH: Int, kernelW: Int, channels: Int,
                          rowStride: Int, sums: UnsafeMutablePointer<Int32>) {
        // Spelled out so that every call inlines with constant tiles and window width.
        // A block within one row has its pixels `channels` apart: passed so, the compiler sees
        // that pixel k's tap x + 1 is pixel k + 1's tap x and loads each of a 3-wide kernel
        // row's 6 broadcasts once (with arbitrary offsets it loads 12).
        let inRow = offsets == (channels, channels &* 2, channels &* 3)
        if kernelW == 3 && inRow {
            blockTilesVNNI(origin, offsets: (channels, channels &* 2, channels &* 3), weights: weights,
                           tileBytes: tileBytes, tiles: tiles, mask: mask, words: words, kernelH: kernelH,
                           kernelW: 3, channels: channels, rowStride: rowStride, sums: sums)
        } else if kernelW == 3 {
            blockTilesVNNI(origin, offsets: offsets, weights: weights, tileBytes: tileBytes, tiles: tiles,
                           mask: mask, words: words, kernelH: kernelH, kernelW: 3, channels: channels,
                           rowStride: rowStride, sums: sums)
        } else if kernelW == 1 {
            blockTilesVNNI(origin, offsets: offsets, weights: weights, tileBytes: tileBytes, tiles: tiles,
                           mask: mask, words: words, kernelH: kernelH, kernelW: 1, channels: channels,
                           rowStride: rowStride, sums: sums)
        } else {
            blockTilesVNNI(origin, offsets: offsets, weights: weights, tileBytes: tileBytes, tiles: tiles,
                           mask: mask, words: words, kernelH: kernelH, kernelW: kernelW, channels: channels,
                           rowStride: rowStride, sums: sums)
        }
    }

    /// `blockVNNI` for a constant window width: the kernel for the number of tiles.
    @inline(__always)
    static func blockTilesVNNI(_ origin: UnsafeRawPointer, offsets: (Int, Int, Int), weights: UnsafeRawPointer,
                               tileBytes: Int, tiles: Int, mask: UnsafePointer<UInt64>, words: Int, kernelH: Int,
                               kernelW: Int, channels: Int, rowStride: Int,
                               sums: UnsafeMutablePointer<Int32>) {
        switch tiles {
        case 4:
            blockQuadVNNI(origin, offsets: offsets, weights: weights, tileBytes: tileBytes, mask: mask, words: words,
                          kernelH: kernelH, kernelW: kernelW, channels: channels, rowStride: rowStride,
                          sums: sums)
        case 2:
            blockPairVNNI(origin, offsets: offsets, weights: weights, tileBytes: tileBytes, mask: mask, words: words,
                          kernelH: kernelH, kernelW: kernelW, channels: channels, rowStride: rowStride,
                          sums: sums)
        default:
            blockSingleVNNI(origin, offsets: offsets, weights: weights, tileBytes: tileBytes, mask: mask,
                            words: words, kernelH: kernelH, kernelW: kernelW, channels: channels,
                            rowStride: rowStride, sums: sums)
        }
    }

    /// `blockEightVNNI` with a constant window width where it is 3 or 1.
    @inline(__always)
    static func blockEightShapesVNNI(_ origin: UnsafeRawPointer, weights: UnsafeRawPointer, tileBytes: Int,
                                     mask: UnsafePointer<UInt64>, words: Int, kernelH: Int, kernelW: Int,
                                     channels: Int, rowStride: Int, sums: UnsafeMutablePointer<Int32>) {
        if kernelW == 3 {
            blockEightVNNI(origin, weights: weights, tileBytes: tileBytes, mask: mask, words: words, kernelH: kernelH,
                           kernelW: 3, channels: channels, rowStride: rowStride, sums: sums)
        } else if kernelW == 1 {
            blockEightVNNI(origin, weights: weights, tileBytes: tileBytes, mask: mask, words: words, kernelH: kernelH,
                           kernelW: 1, channels: channels, rowStride: rowStride, sums: sums)
        } else {
            blockEightVNNI(origin, weights: weights, tileBytes: tileBytes, mask: mask, words: words, kernelH: kernelH,
                           kernelW: kernelW, channels: channels, rowStride: rowStride, sums: sums)
        }
    }

    /// `blockVNNI` over 4 tiles: 16 sums, one group at a time.
    @inline(__always)
    static func blockQuadVNNI(_ origin: UnsafeRawPointer, offsets: (Int, Int, Int), weights: UnsafeRawPointer,
                        tileBytes: Int, mask: UnsafePointer<UInt64>, words: Int, kernelH: Int, kernelW: Int, channels: Int,
                        rowStride: Int, sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm512_setzero_si512()
        var s0t0p0 = zero, s0t0p1 = zero, s0t0p2 = zero, s0t0p3 = zero
        var s0t1p0 = zero, s0t1p1 = zero, s0t1p2 = zero, s0t1p3 = zero
        var s0t2p0 = zero, s0t2p1 = zero, s0t2p2 = zero, s0t2p3 = zero
        var s0t3p0 = zero, s0t3p1 = zero, s0t3p2 = zero, s0t3p3 = zero
        let (c1, c2, c3) = offsets  // pixels 1…3 from pixel 0
        let groupBytes = kernelH &* kernelW &* 64
        @inline(__always)
        func dot(_ acc: __m512i, _ x: __m512i, _ w: __m512i) -> __m512i { _mm512_dpbusd_epi32(acc, x, w) }
        for word in 0..<words {
            var m = mask[word]
            while m != 0 {
                do {
                    let g = word &* 64 &+ m.trailingZeroBitCount
                    m &= m &- 1
                    var w = weights + g &* groupBytes
                    var line = origin + 4 &* g
                    var row = 0
                    while row < kernelH {
                        var x = line
                        for _ in 0..<kernelW {
                            let x0 = _mm512_set1_epi32(x.loadUnaligned(as: Int32.self))
                            let x1 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                            let x2 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                            let x3 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                            let w0 = w.loadUnaligned(as: __m512i.self)
                            s0t0p0 = dot(s0t0p0, x0, w0); s0t0p1 = dot(s0t0p1, x1, w0); s0t0p2 = dot(s0t0p2, x2, w0); s0t0p3 = dot(s0t0p3, x3, w0)
                            let w1 = w.loadUnaligned(fromByteOffset: tileBytes, as: __m512i.self)
                            s0t1p0 = dot(s0t1p0, x0, w1); s0t1p1 = dot(s0t1p1, x1, w1); s0t1p2 = dot(s0t1p2, x2, w1); s0t1p3 = dot(s0t1p3, x3, w1)
                            let w2 = w.loadUnaligned(fromByteOffset: 2 &* tileBytes, as: __m512i.self)
                            s0t2p0 = dot(s0t2p0, x0, w2); s0t2p1 = dot(s0t2p1, x1, w2); s0t2p2 = dot(s0t2p2, x2, w2); s0t2p3 = dot(s0t2p3, x3, w2)
                            let w3 = w.loadUnaligned(fromByteOffset: 3 &* tileBytes, as: __m512i.self)
                            s0t3p0 = dot(s0t3p0, x0, w3); s0t3p1 = dot(s0t3p1, x1, w3); s0t3p2 = dot(s0t3p2, x2, w3); s0t3p3 = dot(s0t3p3, x3, w3)
                            w += 64
                            x += channels
                        }
                        line += rowStride
                        row &+= 1
                    }
                }
            }
        }
        let out = UnsafeMutableRawPointer(sums)
        out.storeBytes(of: s0t0p0, toByteOffset: 0, as: __m512i.self)
        out.storeBytes(of: s0t0p1, toByteOffset: 64, as: __m512i.self)
        out.storeBytes(of: s0t0p2, toByteOffset: 128, as: __m512i.self)
        out.storeBytes(of: s0t0p3, toByteOffset: 192, as: __m512i.self)
        out.storeBytes(of: s0t1p0, toByteOffset: 256, as: __m512i.self)
        out.storeBytes(of: s0t1p1, toByteOffset: 320, as: __m512i.self)
        out.storeBytes(of: s0t1p2, toByteOffset: 384, as: __m512i.self)
        out.storeBytes(of: s0t1p3, toByteOffset: 448, as: __m512i.self)
        out.storeBytes(of: s0t2p0, toByteOffset: 512, as: __m512i.self)
        out.storeBytes(of: s0t2p1, toByteOffset: 576, as: __m512i.self)
        out.storeBytes(of: s0t2p2, toByteOffset: 640, as: __m512i.self)
        out.storeBytes(of: s0t2p3, toByteOffset: 704, as: __m512i.self)
        out.storeBytes(of: s0t3p0, toByteOffset: 768, as: __m512i.self)
        out.storeBytes(of: s0t3p1, toByteOffset: 832, as: __m512i.self)
        out.storeBytes(of: s0t3p2, toByteOffset: 896, as: __m512i.self)
        out.storeBytes(of: s0t3p3, toByteOffset: 960, as: __m512i.self)
    }

    /// `blockVNNI` over 2 tiles: 8 sums in each of 2 sets, kernel rows alternating between them.
    @inline(__always)
    static func blockPairVNNI(_ origin: UnsafeRawPointer, offsets: (Int, Int, Int), weights: UnsafeRawPointer,
                              tileBytes: Int, mask: UnsafePointer<UInt64>, words: Int, kernelH: Int, kernelW: Int,
                              channels: Int, rowStride: Int, sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm512_setzero_si512()
        var s0t0p0 = zero, s0t0p1 = zero, s0t0p2 = zero, s0t0p3 = zero
        var s0t1p0 = zero, s0t1p1 = zero, s0t1p2 = zero, s0t1p3 = zero
        var s1t0p0 = zero, s1t0p1 = zero, s1t0p2 = zero, s1t0p3 = zero
        var s1t1p0 = zero, s1t1p1 = zero, s1t1p2 = zero, s1t1p3 = zero
        let (c1, c2, c3) = offsets  // pixels 1…3 from pixel 0
        let groupBytes = kernelH &* kernelW &* 64
        @inline(__always)
        func dot(_ acc: __m512i, _ x: __m512i, _ w: __m512i) -> __m512i { _mm512_dpbusd_epi32(acc, x, w) }
        for word in 0..<words {
            var m = mask[word]
            while m != 0 {
                let g = word &* 64 &+ m.trailingZeroBitCount
                m &= m &- 1
                var w = weights + g &* groupBytes
                var line = origin + 4 &* g
                var row = 0
                while row &+ 1 < kernelH {  // two rows, one into each set
                    do {
                        var x = line
                        for _ in 0..<kernelW {
                            let x0 = _mm512_set1_epi32(x.loadUnaligned(as: Int32.self))
                            let x1 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                            let x2 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                            let x3 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                            let w0 = w.loadUnaligned(as: __m512i.self)
                            s0t0p0 = dot(s0t0p0, x0, w0); s0t0p1 = dot(s0t0p1, x1, w0); s0t0p2 = dot(s0t0p2, x2, w0); s0t0p3 = dot(s0t0p3, x3, w0)
                            let w1 = w.loadUnaligned(fromByteOffset: tileBytes, as: __m512i.self)
                            s0t1p0 = dot(s0t1p0, x0, w1); s0t1p1 = dot(s0t1p1, x1, w1); s0t1p2 = dot(s0t1p2, x2, w1); s0t1p3 = dot(s0t1p3, x3, w1)
                            w += 64
                            x += channels
                        }
                        line += rowStride
                    }
                    do {
                        var x = line
                        for _ in 0..<kernelW {
                            let x0 = _mm512_set1_epi32(x.loadUnaligned(as: Int32.self))
                            let x1 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                            let x2 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                            let x3 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                            let w0 = w.loadUnaligned(as: __m512i.self)
                            s1t0p0 = dot(s1t0p0, x0, w0); s1t0p1 = dot(s1t0p1, x1, w0); s1t0p2 = dot(s1t0p2, x2, w0); s1t0p3 = dot(s1t0p3, x3, w0)
                            let w1 = w.loadUnaligned(fromByteOffset: tileBytes, as: __m512i.self)
                            s1t1p0 = dot(s1t1p0, x0, w1); s1t1p1 = dot(s1t1p1, x1, w1); s1t1p2 = dot(s1t1p2, x2, w1); s1t1p3 = dot(s1t1p3, x3, w1)
                            w += 64
                            x += channels
                        }
                        line += rowStride
                    }
                    row &+= 2
                }
                if row < kernelH {
                    do {
                        var x = line
                        for _ in 0..<kernelW {
                            let x0 = _mm512_set1_epi32(x.loadUnaligned(as: Int32.self))
                            let x1 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                            let x2 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                            let x3 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                            let w0 = w.loadUnaligned(as: __m512i.self)
                            s0t0p0 = dot(s0t0p0, x0, w0); s0t0p1 = dot(s0t0p1, x1, w0); s0t0p2 = dot(s0t0p2, x2, w0); s0t0p3 = dot(s0t0p3, x3, w0)
                            let w1 = w.loadUnaligned(fromByteOffset: tileBytes, as: __m512i.self)
                            s0t1p0 = dot(s0t1p0, x0, w1); s0t1p1 = dot(s0t1p1, x1, w1); s0t1p2 = dot(s0t1p2, x2, w1); s0t1p3 = dot(s0t1p3, x3, w1)
                            w += 64
                            x += channels
                        }
                        line += rowStride
                    }
                }
            }
        }
        let out = UnsafeMutableRawPointer(sums)
        out.storeBytes(of: _mm512_add_epi32(s0t0p0, s1t0p0), toByteOffset: 0, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t0p1, s1t0p1), toByteOffset: 64, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t0p2, s1t0p2), toByteOffset: 128, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t0p3, s1t0p3), toByteOffset: 192, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t1p0, s1t1p0), toByteOffset: 256, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t1p1, s1t1p1), toByteOffset: 320, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t1p2, s1t1p2), toByteOffset: 384, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t1p3, s1t1p3), toByteOffset: 448, as: __m512i.self)
    }

    /// Two in-row blocks at once — 8 consecutive output pixels of one row, `channels` apart —
    /// × 2 tiles: 16 sums, one group at a time, each input broadcast of a kernel row serving
    /// its 3 taps (10 broadcasts and 6 weight loads per 48 instructions, where two calls of
    /// `blockPairVNNI` need 24 and 24). Stores the first block's two tiles' sums, then the
    /// second block's (`sums[0…127]`, `sums[128…255]`), each as `blockPairVNNI` does.
    @inline(__always)
    static func blockEightVNNI(_ origin: UnsafeRawPointer, weights: UnsafeRawPointer, tileBytes: Int,
                               mask: UnsafePointer<UInt64>, words: Int, kernelH: Int, kernelW: Int,
                               channels: Int, rowStride: Int, sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm512_setzero_si512()
        var t0p0 = zero, t0p1 = zero, t0p2 = zero, t0p3 = zero, t0p4 = zero, t0p5 = zero, t0p6 = zero, t0p7 = zero
        var t1p0 = zero, t1p1 = zero, t1p2 = zero, t1p3 = zero, t1p4 = zero, t1p5 = zero, t1p6 = zero, t1p7 = zero
        let groupBytes = kernelH &* kernelW &* 64
        @inline(__always)
        func dot(_ acc: __m512i, _ x: __m512i, _ w: __m512i) -> __m512i { _mm512_dpbusd_epi32(acc, x, w) }
        for word in 0..<words {
            var m = mask[word]
            while m != 0 {
                let g = word &* 64 &+ m.trailingZeroBitCount
                m &= m &- 1
                var w = weights + g &* groupBytes
                var line = origin + 4 &* g
                var row = 0
                while row < kernelH {
                    var x = line
                    for _ in 0..<kernelW {
                        let x0 = _mm512_set1_epi32(x.loadUnaligned(as: Int32.self))
                        let x1 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: 1 &* channels, as: Int32.self))
                        let x2 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: 2 &* channels, as: Int32.self))
                        let x3 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: 3 &* channels, as: Int32.self))
                        let x4 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: 4 &* channels, as: Int32.self))
                        let x5 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: 5 &* channels, as: Int32.self))
                        let x6 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: 6 &* channels, as: Int32.self))
                        let x7 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: 7 &* channels, as: Int32.self))
                        let w0 = w.loadUnaligned(as: __m512i.self)
                        t0p0 = dot(t0p0, x0, w0); t0p1 = dot(t0p1, x1, w0); t0p2 = dot(t0p2, x2, w0); t0p3 = dot(t0p3, x3, w0)
                        t0p4 = dot(t0p4, x4, w0); t0p5 = dot(t0p5, x5, w0); t0p6 = dot(t0p6, x6, w0); t0p7 = dot(t0p7, x7, w0)
                        let w1 = w.loadUnaligned(fromByteOffset: tileBytes, as: __m512i.self)
                        t1p0 = dot(t1p0, x0, w1); t1p1 = dot(t1p1, x1, w1); t1p2 = dot(t1p2, x2, w1); t1p3 = dot(t1p3, x3, w1)
                        t1p4 = dot(t1p4, x4, w1); t1p5 = dot(t1p5, x5, w1); t1p6 = dot(t1p6, x6, w1); t1p7 = dot(t1p7, x7, w1)
                        w += 64
                        x += channels
                    }
                    line += rowStride
                    row &+= 1
                }
            }
        }
        let out = UnsafeMutableRawPointer(sums)
        out.storeBytes(of: t0p0, toByteOffset: 0, as: __m512i.self)
        out.storeBytes(of: t0p1, toByteOffset: 64, as: __m512i.self)
        out.storeBytes(of: t0p2, toByteOffset: 128, as: __m512i.self)
        out.storeBytes(of: t0p3, toByteOffset: 192, as: __m512i.self)
        out.storeBytes(of: t1p0, toByteOffset: 256, as: __m512i.self)
        out.storeBytes(of: t1p1, toByteOffset: 320, as: __m512i.self)
        out.storeBytes(of: t1p2, toByteOffset: 384, as: __m512i.self)
        out.storeBytes(of: t1p3, toByteOffset: 448, as: __m512i.self)
        out.storeBytes(of: t0p4, toByteOffset: 512, as: __m512i.self)
        out.storeBytes(of: t0p5, toByteOffset: 576, as: __m512i.self)
        out.storeBytes(of: t0p6, toByteOffset: 640, as: __m512i.self)
        out.storeBytes(of: t0p7, toByteOffset: 704, as: __m512i.self)
        out.storeBytes(of: t1p4, toByteOffset: 768, as: __m512i.self)
        out.storeBytes(of: t1p5, toByteOffset: 832, as: __m512i.self)
        out.storeBytes(of: t1p6, toByteOffset: 896, as: __m512i.self)
        out.storeBytes(of: t1p7, toByteOffset: 960, as: __m512i.self)
    }

    /// `blockVNNI` over 1 tile: 4 sums in each of 2 sets, groups alternating between them.
    @inline(__always)
    static func blockSingleVNNI(_ origin: UnsafeRawPointer, offsets: (Int, Int, Int), weights: UnsafeRawPointer,
                        tileBytes: Int, mask: UnsafePointer<UInt64>, words: Int, kernelH: Int, kernelW: Int, channels: Int,
                        rowStride: Int, sums: UnsafeMutablePointer<Int32>) {
        let zero = _mm512_setzero_si512()
        var s0t0p0 = zero, s0t0p1 = zero, s0t0p2 = zero, s0t0p3 = zero
        var s1t0p0 = zero, s1t0p1 = zero, s1t0p2 = zero, s1t0p3 = zero
        let (c1, c2, c3) = offsets  // pixels 1…3 from pixel 0
        let groupBytes = kernelH &* kernelW &* 64
        @inline(__always)
        func dot(_ acc: __m512i, _ x: __m512i, _ w: __m512i) -> __m512i { _mm512_dpbusd_epi32(acc, x, w) }
        for word in 0..<words {
            var m = mask[word]
            while m != 0 {
                do {
                    let g = word &* 64 &+ m.trailingZeroBitCount
                    m &= m &- 1
                    var w = weights + g &* groupBytes
                    var line = origin + 4 &* g
                    var row = 0
                    while row < kernelH {
                        var x = line
                        for _ in 0..<kernelW {
                            let x0 = _mm512_set1_epi32(x.loadUnaligned(as: Int32.self))
                            let x1 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                            let x2 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                            let x3 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                            let w0 = w.loadUnaligned(as: __m512i.self)
                            s0t0p0 = dot(s0t0p0, x0, w0); s0t0p1 = dot(s0t0p1, x1, w0); s0t0p2 = dot(s0t0p2, x2, w0); s0t0p3 = dot(s0t0p3, x3, w0)
                            w += 64
                            x += channels
                        }
                        line += rowStride
                        row &+= 1
                    }
                }
                if m == 0 { break }
                do {
                    let g = word &* 64 &+ m.trailingZeroBitCount
                    m &= m &- 1
                    var w = weights + g &* groupBytes
                    var line = origin + 4 &* g
                    var row = 0
                    while row < kernelH {
                        var x = line
                        for _ in 0..<kernelW {
                            let x0 = _mm512_set1_epi32(x.loadUnaligned(as: Int32.self))
                            let x1 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c1, as: Int32.self))
                            let x2 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c2, as: Int32.self))
                            let x3 = _mm512_set1_epi32(x.loadUnaligned(fromByteOffset: c3, as: Int32.self))
                            let w0 = w.loadUnaligned(as: __m512i.self)
                            s1t0p0 = dot(s1t0p0, x0, w0); s1t0p1 = dot(s1t0p1, x1, w0); s1t0p2 = dot(s1t0p2, x2, w0); s1t0p3 = dot(s1t0p3, x3, w0)
                            w += 64
                            x += channels
                        }
                        line += rowStride
                        row &+= 1
                    }
                }
            }
        }
        let out = UnsafeMutableRawPointer(sums)
        out.storeBytes(of: _mm512_add_epi32(s0t0p0, s1t0p0), toByteOffset: 0, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t0p1, s1t0p1), toByteOffset: 64, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t0p2, s1t0p2), toByteOffset: 128, as: __m512i.self)
        out.storeBytes(of: _mm512_add_epi32(s0t0p3, s1t0p3), toByteOffset: 192, as: __m512i.self)
    }

    /// The codes of one tile's block of sums (`sums`: pixel `p`, channel `c` at `16p + c`)
    /// against the channel-ordered thresholds at `th` (the tile's first channel): pixel `p`'s 16
    /// codes as the bytes of result `p`. `T` less one for every threshold a lane misses (the
    /// thresholds rise with n): a compare into a mask register and a masked add per 16 lanes.
    @inline(__always)
    func blockCodeBytes512(_ sums: UnsafeRawPointer, thresholds th: UnsafeRawPointer, timesteps t: Int)
        -> (__m128i, __m128i, __m128i, __m128i) {
        let outC = record.outC
        let a0 = sums.load(fromByteOffset: 0, as: SIMD16<Int32>.self), a1 = sums.load(fromByteOffset: 64, as: SIMD16<Int32>.self)
        let a2 = sums.load(fromByteOffset: 128, as: SIMD16<Int32>.self), a3 = sums.load(fromByteOffset: 192, as: SIMD16<Int32>.self)
        let zero = SIMD16<Int32>(repeating: 0)
        var c0 = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: t)), c1 = c0, c2 = c0, c3 = c0
        for n in 0..<t {
            let theta = th.loadUnaligned(fromByteOffset: 4 &* n &* outC, as: SIMD16<Int32>.self)
            c0 &+= zero.replacing(with: -1, where: a0 .< theta)
            c1 &+= zero.replacing(with: -1, where: a1 .< theta)
            c2 &+= zero.replacing(with: -1, where: a2 .< theta)
            c3 &+= zero.replacing(with: -1, where: a3 .< theta)
        }
        @inline(__always)
        func bytes(_ c: SIMD16<Int32>) -> __m128i { _mm512_cvtepi32_epi8(unsafeBitCast(c, to: __m512i.self)) }
        return (bytes(c0), bytes(c1), bytes(c2), bytes(c3))
    }

    /// `storeBlockCodes512` for two full blocks that continue one row (`blockEightShapesVNNI`'s
    /// pairs): the codes of one tile's 8 pixels (`first`: pixels 0–3, `second`: pixels 4–7,
    /// each pixel `p`, channel `c` at `16p + c`) stored into the CHW output at `output` (pixel
    /// 0, channel `tile`) as one 64-bit store per channel — 16 stores after a three-stage byte
    /// transpose instead of 32 after two (W2: the first two layers' codes).
    @inline(__always)
    func storeEightCodes512(_ first: UnsafePointer<Int32>, _ second: UnsafePointer<Int32>, thresholds: UnsafePointer<Int32>,
                            tile: Int, timesteps t: Int, output: UnsafeMutablePointer<UInt8>, plane: Int) {
        let th = UnsafeRawPointer(thresholds) + 4 &* tile
        // Pixel p's 16 channel bytes → per channel its 8 pixels: byte, word and dword unpacks.
        let (x0, x1, x2, x3) = blockCodeBytes512(UnsafeRawPointer(first), thresholds: th, timesteps: t)
        let (x4, x5, x6, x7) = blockCodeBytes512(UnsafeRawPointer(second), thresholds: th, timesteps: t)
        let p01lo = _mm_unpacklo_epi8(x0, x1), p01hi = _mm_unpackhi_epi8(x0, x1)
        let p23lo = _mm_unpacklo_epi8(x2, x3), p23hi = _mm_unpackhi_epi8(x2, x3)
        let p45lo = _mm_unpacklo_epi8(x4, x5), p45hi = _mm_unpackhi_epi8(x4, x5)
        let p67lo = _mm_unpacklo_epi8(x6, x7), p67hi = _mm_unpackhi_epi8(x6, x7)
        // Pixels 0–3 (u) and 4–7 (v) of channels 0–3, 4–7, 8–11, 12–15: 4 bytes each.
        let u0 = _mm_unpacklo_epi16(p01lo, p23lo), u1 = _mm_unpackhi_epi16(p01lo, p23lo)
        let u2 = _mm_unpacklo_epi16(p01hi, p23hi), u3 = _mm_unpackhi_epi16(p01hi, p23hi)
        let v0 = _mm_unpacklo_epi16(p45lo, p67lo), v1 = _mm_unpackhi_epi16(p45lo, p67lo)
        let v2 = _mm_unpacklo_epi16(p45hi, p67hi), v3 = _mm_unpackhi_epi16(p45hi, p67hi)
        let base = UnsafeMutableRawPointer(output + tile &* plane)
        @inline(__always)
        func put(_ q: __m128i, _ channel: Int) {
            let pair = unsafeBitCast(q, to: SIMD2<UInt64>.self)
            (base + channel &* plane).storeBytes(of: pair[0], as: UInt64.self)
            (base + (channel &+ 1) &* plane).storeBytes(of: pair[1], as: UInt64.self)
        }
        put(_mm_unpacklo_epi32(u0, v0), 0); put(_mm_unpackhi_epi32(u0, v0), 2)
        put(_mm_unpacklo_epi32(u1, v1), 4); put(_mm_unpackhi_epi32(u1, v1), 6)
        put(_mm_unpacklo_epi32(u2, v2), 8); put(_mm_unpackhi_epi32(u2, v2), 10)
        put(_mm_unpacklo_epi32(u3, v3), 12); put(_mm_unpackhi_epi32(u3, v3), 14)
    }

    /// `storeBlockCodes` with 16-lane compares: the codes of one tile's block of sums (`sums`:
    /// pixel `p`, channel `c` at `16p + c`) against the channel-ordered thresholds, stored into
    /// the CHW output at `output` (pixel 0 of the block, channel `tile`) for the first `pixels`
    /// pixels — a full block's 4 codes of a channel as one 32-bit store.
    @inline(__always)
    func storeBlockCodes512(_ sums: UnsafePointer<Int32>, thresholds: UnsafePointer<Int32>, tile: Int, timesteps t: Int,
                            output: UnsafeMutablePointer<UInt8>, plane: Int, pixels: Int) {
        let th = UnsafeRawPointer(thresholds) + 4 &* tile
        // Pixel p's 16 channel bytes, then transposed so that each 32-bit word is one channel's
        // 4 pixels.
        let (x0, x1, x2, x3) = blockCodeBytes512(UnsafeRawPointer(sums), thresholds: th, timesteps: t)
        let lo01 = _mm_unpacklo_epi8(x0, x1), lo23 = _mm_unpacklo_epi8(x2, x3)
        let hi01 = _mm_unpackhi_epi8(x0, x1), hi23 = _mm_unpackhi_epi8(x2, x3)
        let quads = (_mm_unpacklo_epi16(lo01, lo23), _mm_unpackhi_epi16(lo01, lo23),
                     _mm_unpacklo_epi16(hi01, hi23), _mm_unpackhi_epi16(hi01, hi23))
        let base = output + tile &* plane
        @inline(__always)
        func put(_ q: __m128i, _ first: Int) {
            let words = unsafeBitCast(q, to: SIMD4<UInt32>.self)
            if pixels == DenseScratch.pixels {
                for i in 0..<4 { UnsafeMutableRawPointer(base + (first &+ i) &* plane).storeBytes(of: words[i], as: UInt32.self) }
            } else {
                for i in 0..<4 {
                    for p in 0..<pixels {
                        base[(first &+ i) &* plane &+ p] = UInt8(truncatingIfNeeded: words[i] &>> UInt32(truncatingIfNeeded: 8 &* p))
                    }
                }
            }
        }
        put(quads.0, 0); put(quads.1, 4); put(quads.2, 8); put(quads.3, 12)
    }
}
#endif
