/// The multi-valued (QNN) kernel of convolution and fully connected layers: output-stationary,
/// one output pixel at a time, skipping zero inputs. Scalar, any shape and weight width: the
/// reference the fast kernels are tested against (`EventGatherTests`, `KernelAgreement`).
///
/// Generic over `CodeReader` (`PackedCodes.swift`): bytes, or the bit-packed codes of
/// `--compact` plans, read up to `25 / bits` taps per 32-bit load with all-zero runs skipped.
/// A fully connected layer over bytes (one output pixel whose window is the input) takes one
/// flat walk, input `i` meeting weight row `i` — except in `JOULE_PLAIN_KERNELS` builds, which
/// keep the window loops to save flash.
extension WeightedLayer {
    /// Computes `acc[j] = Σ q · x` for every output pixel and hands each pixel's `outC`
    /// accumulators to `body(pixel, acc)`, where `pixel = oy · outW + ox`.
    ///
    /// - Parameters:
    ///   - input: `inC · inH · inW` values in CHW order (codes or input bytes; bytes or packed codes).
    ///   - acc: scratch for `outC` int32 accumulators (the caller's arena).
    ///   - tally: receives the multiplies with non-zero weights (`operations`) and the weight
    ///     rows read (`rowsRead`: one per non-zero input and valid tap); with `spikeCounts` (one
    ///     byte per value: a layer-wise SNN's spike counts) those of the spike trains — an input
    ///     of count `x` counts `x` times per valid tap.
    @inline(__always)
    func gather<I: CodeReader>(input: I, acc: UnsafeMutablePointer<Int32>,
                tally: inout EventTally, spikeCounts: Bool = false,
                _ body: (Int, UnsafeMutablePointer<Int32>) -> Void) {
        var rows = ImmediateRows(weightBits: record.weightBits, count: record.outC)
        gather(input: input, acc: acc, rows: &rows, tally: &tally, spikeCounts: spikeCounts, body)
    }

    /// `gather(input:acc:tally:spikeCounts:_:)` with the rows added by `rows`
    /// (`RowAccumulator`): the plain kernel adds each row as it meets it, an instruction set's
    /// variant may add them in pairs.
    @inline(__always)
    func gather<I: CodeReader, A: RowAccumulator>(input: I, acc: UnsafeMutablePointer<Int32>, rows: inout A,
                tally: inout EventTally, spikeCounts: Bool = false,
                _ body: (Int, UnsafeMutablePointer<Int32>) -> Void) {
        let r = record
        let outC = r.outC, bits = r.weightBits, plane = r.inH * r.inW
        var macs: UInt64 = 0, nonZeroVisits: UInt64 = 0
        let packedBits = input.packedBits
        let fieldMask: UInt32 = (1 &<< UInt32(truncatingIfNeeded: packedBits)) &- 1
        let chunk = packedBits == 0 ? 1 : 25 / packedBits  // codes per window
        let flat = InstructionSet.flatFullyConnected && packedBits == 0 && r.outH == 1 && r.outW == 1
            && kernelH == r.inH && kernelW == r.inW && padH == 0 && padW == 0
        if flat {
            // Fully connected (one output pixel whose window is the whole input): input `i`
            // meets weight row `i`, so one flat walk over the input, without the window loops'
            // per-tap bookkeeping.
            // int8 rows of at most 16 weights add as one vector of 16 lanes where 16 bytes from
            // the row's start stay inside the layer's weights (all but the last rows); inputs
            // are scanned 8 at a time, a zero word skipped whole — one branch instead of eight,
            // which are unpredictable where inputs are non-zero at random.
            for j in 0..<outC { acc[j] = 0 }
            #if _pointerBitWidth(_64)
            let vectorRows = bits == 8 && outC <= 16
            #else
            let vectorRows = false  // (SIMD conversions allocate on 32-bit Embedded targets)
            #endif
            let rowBytes = r.rowBytes, lastVectorRow = (r.weightBytes - 16) / max(1, rowBytes)
            var lanes = SIMD16<Int32>()
            // (inout, not captured: a local function capturing a `var` boxes it, which Embedded
            // `-no-allocations` refuses.)
            @inline(__always)
            func visit(_ i: Int, _ x: UInt8, _ lanes: inout SIMD16<Int32>, _ rows: inout A, _ macs: inout UInt64,
                       _ nonZeroVisits: inout UInt64) {
                #if _pointerBitWidth(_64)
                if vectorRows && i <= lastVectorRow {
                    lanes &+= SIMD16<Int32>(truncatingIfNeeded: row(i).loadUnaligned(as: SIMD16<Int8>.self)) &* Int32(x)
                } else {
                    rows.add(row(i), x: Int32(x), into: acc)
                }
                #else
                rows.add(row(i), x: Int32(x), into: acc)
                #endif
                let times = spikeCounts ? UInt64(widening: x) : 1
                macs &+= times &* nonZeroWeights(row: i)
                nonZeroVisits &+= times
            }
            let n = r.inputCount
            var i = 0
            while i &+ 8 <= n {
                var word: UInt64 = 0
                for k in 0..<8 { word |= UInt64(widening: input.code(at: i &+ k)) &<< UInt64(widening: 8 &* k) }
                // The top bit of each non-zero byte (`ByteCounts.nonZero`'s test).
                var set = (((word & ByteCounts.lows) &+ ByteCounts.lows) | word) & ByteCounts.highs
                while set != 0 {
                    let k = set.trailingZeroBitCount &>> 3
                    set &= set &- 1
                    visit(i &+ k, UInt8(truncatingIfNeeded: word &>> UInt64(widening: 8 &* k)), &lanes, &rows, &macs, &nonZeroVisits)
                }
                i &+= 8
            }
            while i < n {
                let x = input.code(at: i)
                if x != 0 { visit(i, x, &lanes, &rows, &macs, &nonZeroVisits) }
                i &+= 1
            }
            rows.flush(into: acc)
            #if _pointerBitWidth(_64)
            if vectorRows { for j in 0..<outC { acc[j] &+= lanes[j] } }
            #endif
            body(0, acc)
        } else {
            // Positions advance by wrapping adds (a validated layer's indices are in range): the
            // input line of (ci, ky) and its weight row move by `inW` and `kernelW` per `ky`.
            let inW = r.inW, taps = kernelH &* kernelW
            rows.begin(self, packedBits: packedBits, spikeCounts: spikeCounts)
            for oy in 0..<r.outH {
                let y0 = oy &* strideH &- padH
                let kyLo = max(0, -y0), kyHi = max(kyLo, min(kernelH, r.inH &- y0))
                for ox in 0..<r.outW {
                    let x0 = ox &* strideW &- padW
                    let kxLo = max(0, -x0), kxHi = max(kxLo, min(kernelW, inW &- x0))
                    let width = kxHi &- kxLo
                    var channelLine = (y0 &+ kyLo) &* inW &+ x0 &+ kxLo
                    var channelRow = kyLo &* kernelW &+ kxLo
                    if A.sumsPixels {
                        rows.sumPixel(input.codes, line: channelLine, row: channelRow, lines: kyHi &- kyLo, width: width,
                                      acc: acc, operations: &macs, rowsRead: &nonZeroVisits)
                        body(oy &* r.outW &+ ox, acc)
                        continue
                    }
                    for j in 0..<outC { acc[j] = 0 }
                    for _ in 0..<r.inC {
                        var line = channelLine, rowBase = channelRow
                        for _ in kyLo..<kyHi {
                            if packedBits == 0 {
                                for kx in 0..<width {
                                    let x = input.code(at: line &+ kx)
                                    if x == 0 { continue }
                                    let rowIndex = rowBase &+ kx
                                    rows.add(row(rowIndex), x: Int32(x), into: acc)
                                    let times = spikeCounts ? UInt64(widening: x) : 1
                                    macs &+= times &* nonZeroWeights(row: rowIndex)
                                    nonZeroVisits &+= times
                                }
                            } else {
                                // Packed codes: up to `chunk` taps per 32-bit load, all-zero runs
                                // skipped as a whole.
                                var kx = 0
                                while kx < width {
                                    let m = min(width &- kx, chunk)
                                    var window = input.window(at: line &+ kx)
                                        & ((1 &<< UInt32(truncatingIfNeeded: m &* packedBits)) &- 1)
                                    var rowIndex = rowBase &+ kx
                                    while window != 0 {
                                        let x = window & fieldMask
                                        if x != 0 {
                                            rows.add(row(rowIndex), x: Int32(bitPattern: x), into: acc)
                                            macs &+= nonZeroWeights(row: rowIndex)
                                            nonZeroVisits &+= 1
                                        }
                                        window &>>= UInt32(truncatingIfNeeded: packedBits)
                                        rowIndex &+= 1
                                    }
                                    kx &+= m
                                }
                            }
                            line &+= inW
                            rowBase &+= kernelW
                        }
                        channelLine &+= plane
                        channelRow &+= taps
                    }
                    rows.flush(into: acc)
                    body(oy * r.outW + ox, acc)
                }
            }
        }
        tally.operations &+= macs
        tally.rowsRead &+= nonZeroVisits
    }
}

/// How the plain gather adds a non-zero input's weight row into an output pixel's `count`
/// accumulators: `acc[j] += x · row[j]` for `j < count`, done by `add` or deferred until the next
/// `add` or `flush` (the gather flushes before it reads a pixel's accumulators). `x` ≤ 255.
/// A variant may instead sum whole output pixels (`sumsPixels`, `sumPixel`), the gather keeping
/// the geometry.
protocol RowAccumulator {
    mutating func add(_ row: UnsafeRawPointer, x: Int32, into acc: UnsafeMutablePointer<Int32>)
    mutating func flush(into acc: UnsafeMutablePointer<Int32>)
    /// Whether the gather's window loops hand each output pixel to `sumPixel`.
    static var sumsPixels: Bool { get }
    /// Readies `sumPixel` for `layer` over input codes `packedBits` wide (0: bytes), spike
    /// counts or not: called before the window loops.
    mutating func begin(_ layer: WeightedLayer, packedBits: Int, spikeCounts: Bool)
    /// One output pixel's sums into `acc` (`outC` of them, zeroed first) over the input at
    /// `codes`: per input channel `lines` lines of `width` taps, the first at input index `line`
    /// and weight row `row` (channels `inH · inW` values and `kernelH · kernelW` rows apart,
    /// lines `inW` values and `kernelW` rows apart); adds the gather's tally of them (multiplies
    /// with non-zero weights, rows read).
    mutating func sumPixel(_ codes: UnsafeRawPointer, line: Int, row: Int, lines: Int, width: Int,
                           acc: UnsafeMutablePointer<Int32>, operations: inout UInt64, rowsRead: inout UInt64)
}

extension RowAccumulator {
    static var sumsPixels: Bool { false }
    mutating func begin(_ layer: WeightedLayer, packedBits: Int, spikeCounts: Bool) {}
    mutating func sumPixel(_ codes: UnsafeRawPointer, line: Int, row: Int, lines: Int, width: Int,
                           acc: UnsafeMutablePointer<Int32>, operations: inout UInt64, rowsRead: inout UInt64) {}
}

/// Each row added as the gather meets it (`WeightRow.multiplyAccumulate`): any weight width,
/// any target.
struct ImmediateRows: RowAccumulator {
    let weightBits: Int
    let count: Int

    @inline(__always)
    mutating func add(_ row: UnsafeRawPointer, x: Int32, into acc: UnsafeMutablePointer<Int32>) {
        WeightRow.multiplyAccumulate(row, bits: weightBits, x: x, into: acc, count: count)
    }

    @inline(__always)
    mutating func flush(into acc: UnsafeMutablePointer<Int32>) {}
}
