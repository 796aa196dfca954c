#if JOULE_AVX2 && JOULE_AVX512VNNI && arch(x86_64)
import _Builtin_intrinsics.intel

/// What `countDenseInputVNNI` adds per input: its value (`DenseCountValues`: spike counts) or
/// 1 if it is non-zero (`DenseCountFlags`), fixed per specialisation.
protocol DenseCountMode { static var values: Bool { get } }
enum DenseCountValues: DenseCountMode { static var values: Bool { true } }
enum DenseCountFlags: DenseCountMode { static var values: Bool { false } }

/// `countDenseInput`'s tally on AVX-512 VNNI hosts, from the kernel's channels-last copy.
///
/// The whole input: byte counters over 64-byte steps (two pixels of 32 channels, a row's pixels
/// being one run of bytes; or one pixel's two 32-channel chunks), each byte lane adding an
/// input's value or non-zero flag; every ≤ 255 steps (17 for values) the bytes are added into
/// 16-bit per-channel totals, and every run of rows that keeps those within int16 the totals
/// are weighed by one `vpdpwssd` against the count table's row 0 packed as int16 pairs (lane `i`:
/// channels `2i` and `2i + 1`) and against ones (the events). Each border class
/// (`BorderClasses.forEachRectangle`, no divisions) the same way, one pixel a step, against its
/// row (the weights its inputs miss) and its missing-tap count. The byte-counter version
/// (`countDenseInput`) counts in 32-byte steps and weighs per class and chunk in 32- or 64-bit
/// lanes. Same tally, bit for bit (`KernelAgreement`: counters against brute force, with and
/// without the prepacked table; `DenseConvolutionTests.testCounterTotalsAtTheirBound`).
extension WeightedLayer {
    /// True where `countDenseInputVNNI` is exact: table entries (at most `taps · outC`) fit in
    /// int16, and so does a row's per-channel total (at most `15 · inW`; it totals as many rows
    /// as stay within int16); then an int32 lane's two products stay below 2 · 32767² < 2^31.
    static func denseCountsFitVNNI(_ r: LayerRecord) -> Bool {
        r.kernelH * r.kernelW * r.outC <= Int(Int16.max) && 15 * r.inW <= Int(Int16.max)
    }

    /// The tally of `countDenseInput(layout:weighted:table:prefix:into:)` for a layer that
    /// `denseConvolution` has just run, from the prepacked count `table`
    /// (`fillDenseCountTable`'s layout: per chunk of 32 channels, even channels' lanes, then
    /// odd). Requires `denseCountsFitVNNI(record)`.
    func countDenseInputVNNI(layout: DenseScratch, weighted: Bool, table: UnsafePointer<UInt32>,
                             into tally: inout EventTally) {
        // Two specialisations of the loops, so that neither tests `weighted` per pixel.
        if weighted {
            countDenseInputVNNI(layout: layout, mode: DenseCountValues.self, table: table, into: &tally)
        } else {
            countDenseInputVNNI(layout: layout, mode: DenseCountFlags.self, table: table, into: &tally)
        }
    }

    private func countDenseInputVNNI<Mode: DenseCountMode>(layout: DenseScratch, mode: Mode.Type,
                                                           table: UnsafePointer<UInt32>, into tally: inout EventTally) {
        let values = Mode.values
        let r = record
        let classes = BorderClasses(r)
        let channels = DenseScratch.channels(r), width = DenseScratch.width(r)
        let chunks = channels / 32
        let copy = UnsafeRawPointer(layout.input)
        let ones32 = _mm256_set1_epi8(1), ones64 = _mm512_set1_epi8(1)
        /// What an input adds: its value, or 1 if it is non-zero (32 or 64 inputs).
        @inline(__always)
        func counted(_ v: __m256i) -> __m256i { values ? v : _mm256_min_epu8(v, ones32) }
        @inline(__always)
        func counted(_ v: __m512i) -> __m512i { values ? v : _mm512_min_epu8(v, ones64) }
        /// Table row `row`, chunk `chunk` as 16 int16 pairs: lane `i` = channel `2i` (low half)
        /// and `2i + 1` (high half).
        @inline(__always)
        func packedRow(_ row: Int, chunk: Int) -> __m512i {
            let at = UnsafeRawPointer(table) + 4 &* (row &* chunks &+ chunk) &* 32
            let even = at.loadUnaligned(as: SIMD16<UInt32>.self)
            let odd = at.loadUnaligned(fromByteOffset: 64, as: SIMD16<UInt32>.self)
            return unsafeBitCast(even | (odd &<< 16), to: __m512i.self)
        }
        /// Σ of the 16-bit per-channel `total` times `weights` (int16 pairs), in 64 bits.
        @inline(__always)
        func dot(_ total: __m512i, _ weights: __m512i) -> UInt64 {
            // Never negative: the int32 lanes added pairwise into 64-bit lanes.
            let q = unsafeBitCast(_mm512_dpwssd_epi32(_mm512_setzero_si512(), total, weights), to: SIMD8<UInt64>.self)
            return ((q & 0xFFFF_FFFF) &+ (q &>> 32)).wrappedSum()
        }
        /// 16-bit lanes of the 32 byte lanes of `x`'s low or high half (the high half by a lane
        /// permute: `SIMD64.highHalf` compiles to a loop over the lanes).
        @inline(__always)
        func low(_ x: __m512i) -> __m512i { _mm512_cvtepu8_epi16(_mm512_castsi512_si256(x)) }
        let upper = _mm512_set_epi64(7, 6, 5, 4, 7, 6, 5, 4)
        @inline(__always)
        func high(_ x: __m512i) -> __m512i { _mm512_cvtepu8_epi16(_mm512_castsi512_si256(_mm512_permutexvar_epi64(upper, x))) }
        let one = _mm512_set1_epi16(1)
        // 16-bit totals stay within int16 over `rowsPerTotal` rows of the input (at most 15 a
        // pixel; `denseCountsFitVNNI`); byte counters over `byteSteps` steps.
        let byteSteps = values ? 255 / 15 : 255
        @inline(__always)
        func rowsPerTotal(_ pixels: Int) -> Int { max(1, Int(Int16.max) / 15 / max(1, pixels)) }
        /// Adds 16-bit totals of chunk `chunk` over rows `y0..<y1` × columns `x0..<x1`, one
        /// pixel (32 bytes) a step, into `total`.
        @inline(__always)
        func addPixels(_ y0: Int, _ y1: Int, _ x0: Int, _ x1: Int, chunk: Int, to total: inout __m512i) {
            var y = y0
            while y < y1 {
                var at = copy + (((y &+ padH) &* width &+ x0 &+ padW) &* channels &+ 32 &* chunk)
                var x = x0
                while x < x1 {
                    total = _mm512_add_epi16(total, _mm512_cvtepu8_epi16(counted(at.loadUnaligned(as: __m256i.self))))
                    at += channels
                    x &+= 1
                }
                y &+= 1
            }
        }
        var events: UInt64 = 0, operations: UInt64 = 0, missingRows: UInt64 = 0, unreached: UInt64 = 0
        // The whole input against row 0.
        let step = rowsPerTotal(r.inW)
        if channels == 32 || channels % 64 == 0 {
            // 64 bytes a step into byte counters: two pixels of 32 channels (a row's pixels
            // are one run of bytes; both halves are channels 0…31; an odd last pixel alone),
            // or one pixel's two chunks.
            let pairs = channels == 32 ? 1 : chunks / 2
            let steps = channels == 32 ? r.inW / 2 : r.inW
            let stride = channels == 32 ? 64 : channels
            for pair in 0..<pairs {
                var y = 0
                while y < r.inH {
                    let last = min(r.inH, y &+ step)
                    var even = _mm512_setzero_si512(), odd = _mm512_setzero_si512()
                    while y < last {
                        var at = copy + (((y &+ padH) &* width &+ padW) &* channels &+ 64 &* pair)
                        var left = steps
                        while left > 0 {
                            let n = min(byteSteps, left)
                            var bytes = _mm512_setzero_si512()
                            var i = 0
                            while i < n {
                                bytes = _mm512_add_epi8(bytes, counted(at.loadUnaligned(as: __m512i.self)))
                                at += stride
                                i &+= 1
                            }
                            even = _mm512_add_epi16(even, low(bytes))
                            odd = _mm512_add_epi16(odd, high(bytes))
                            left &-= n
                        }
                        if channels == 32 && r.inW % 2 == 1 {
                            even = _mm512_add_epi16(even, _mm512_cvtepu8_epi16(counted(at.loadUnaligned(as: __m256i.self))))
                        }
                        y &+= 1
                    }
                    if channels == 32 {
                        let total = _mm512_add_epi16(even, odd)
                        operations &+= dot(total, packedRow(0, chunk: 0))
                        events &+= dot(total, one)
                    } else {
                        operations &+= dot(even, packedRow(0, chunk: 2 &* pair)) &+ dot(odd, packedRow(0, chunk: 2 &* pair &+ 1))
                        events &+= dot(even, one) &+ dot(odd, one)
                    }
                }
            }
        } else {
            for chunk in 0..<chunks {
                let weights = packedRow(0, chunk: chunk)
                var y = 0
                while y < r.inH {
                    let last = min(r.inH, y &+ step)
                    var total = _mm512_setzero_si512()
                    addPixels(y, last, 0, r.inW, chunk: chunk, to: &total)
                    operations &+= dot(total, weights)
                    events &+= dot(total, one)
                    y = last
                }
            }
        }
        // Each border class against its row (the weights it misses) and its missing taps.
        classes.forEachRectangle { k, rect in
            let missing = _mm512_set1_epi16(Int16(truncatingIfNeeded: tapRectangle(row: rect.y0, column: rect.x0).missing))
            // Border classes are small: one total each unless they could pass int16.
            let height = rect.y1 &- rect.y0
            let rows = height &* (rect.x1 &- rect.x0) <= Int(Int16.max) / 15 ? height : rowsPerTotal(rect.x1 &- rect.x0)
            for chunk in 0..<chunks {
                let weights = packedRow(1 &+ k, chunk: chunk)
                var y = rect.y0
                while y < rect.y1 {
                    let last = min(rect.y1, y &+ rows)
                    var total = _mm512_setzero_si512()
                    addPixels(y, last, rect.x0, rect.x1, chunk: chunk, to: &total)
                    unreached &+= dot(total, weights)
                    missingRows &+= dot(total, missing)
                    y = last
                }
            }
        }
        tally.events &+= events
        tally.rowsRead &+= events &* UInt64(widening: kernelH &* kernelW) &- missingRows
        tally.operations &+= operations &- unreached
    }
}
#endif
