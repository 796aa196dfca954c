#if JOULE_AVX512VNNI && arch(x86_64)
import _Builtin_intrinsics.intel

/// AVX-512BW variants of the counters' byte passes (`ByteCounts`, `PoolingLayer.unvisited`),
/// 64 bytes a step, reached through `InstructionSet` (`JOULE_AVX512VNNI` implies AVX-512BW).
/// Each covers a prefix and returns how far it got; the portable loop finishes the rest.
enum ByteCountsAVX512 {
    /// Non-zero bytes among the first `count / 64 · 64` bytes at `raw` (`vptestmb` into a mask,
    /// whose population count is the non-zero bytes).
    @inline(__always)
    static func nonZero(_ raw: UnsafeRawPointer, count: Int) -> (covered: Int, nonZero: UInt64) {
        var i = 0, total: UInt64 = 0
        while i + 64 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i, as: __m512i.self)
            total &+= UInt64(widening: UInt32(truncatingIfNeeded: _mm512_test_epi8_mask(v, v).nonzeroBitCount))
            i += 64
        }
        return (i, total)
    }

    /// Non-zero bytes and their sum among the first `count / 64 · 64` bytes at `raw`: `vptestmb`
    /// as in `nonZero`, and `vpsadbw` against zero, eight 64-bit sums of eight bytes.
    @inline(__always)
    static func nonZeroAndSum(_ raw: UnsafeRawPointer, count: Int) -> (covered: Int, nonZero: UInt64, sum: UInt64) {
        var i = 0, nonZero: UInt64 = 0
        var sums = _mm512_setzero_si512()
        let zero = _mm512_setzero_si512()
        while i + 64 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i, as: __m512i.self)
            nonZero &+= UInt64(widening: UInt32(truncatingIfNeeded: _mm512_test_epi8_mask(v, v).nonzeroBitCount))
            sums = _mm512_add_epi64(sums, _mm512_sad_epu8(v, zero))
            i += 64
        }
        return (i, nonZero, unsafeBitCast(sums, to: SIMD8<UInt64>.self).wrappedSum())
    }

    /// `PoolingLayer.unvisited` for planes of at most 64 bytes (W2's 7 × 7), a plane a step: one
    /// masked load, the unvisited positions as a mask; nil for larger planes.
    @inline(__always)
    static func unvisited(_ pool: PoolingLayer, _ input: UnsafePointer<UInt8>) -> (nonZero: UInt64, sum: UInt64)? {
        let r = pool.record
        let plane = r.inH &* r.inW
        guard plane <= 64 else { return nil }
        let rows = 2 * r.outH, columns = 2 * r.outW
        var unvisitedMask: UInt64 = 0
        for y in 0..<r.inH {
            for x in 0..<r.inW where x >= columns || y >= rows { unvisitedMask |= 1 &<< UInt64(y &* r.inW &+ x) }
        }
        let planeMask: UInt64 = plane == 64 ? ~0 : (1 &<< UInt64(plane)) &- 1
        var nonZero: UInt64 = 0
        var sums = _mm512_setzero_si512()
        let zero = _mm512_setzero_si512()
        var at = UnsafeRawPointer(input)
        for _ in 0..<r.inC {
            let v = _mm512_maskz_loadu_epi8(planeMask, at)
            nonZero &+= UInt64(widening: UInt32(truncatingIfNeeded: (_mm512_test_epi8_mask(v, v) & unvisitedMask).nonzeroBitCount))
            sums = _mm512_add_epi64(sums, _mm512_sad_epu8(_mm512_maskz_mov_epi8(unvisitedMask, v), zero))
            at += plane
        }
        return (nonZero, unsafeBitCast(sums, to: SIMD8<UInt64>.self).wrappedSum())
    }
}
#endif
