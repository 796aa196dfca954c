#if JOULE_ARM_DSP
internal import JouleDSP

/// The plain gather (`../WeightedGather.swift`: its geometry, output pixel by output pixel) with
/// each pixel summed by the ARM DSP extension (`DSP/joule_dsp.h`, `joule_dsp_pixel`): zero inputs
/// skipped — bytes or the packed codes of `--compact` plans —, the non-zero inputs' weight rows
/// listed and added two rows per `SMLAD`, four outputs' sums in registers (README beside this
/// file). Int8 weights; the QNN's layers, the model input's, and the layer-wise SNN's over spike
/// counts: what the plain gather runs, in the plain family and ahead of it in
/// `KernelSelection.forEachKernel`, so that it replaces the plain gather wherever it applies.
/// Outputs and counters equal the plain gather's.
enum DSPGatherKernel: WeightedKernel {
    static var kernel: LayerKernel { .dspGather }
    static var family: KernelFamily { .plain }

    static func supports(_ r: KernelRequest) -> Bool {
        r.record.weightBits == 8 && r.record.outC <= 65_535 && PlainGatherKernel.supports(r)
    }

    static func run(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>, activity: InputActivity?,
                    readout: Readout, counting: Bool) -> WeightedLayer.EventTally {
        var storage: DSPRows.Storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &storage) { buffer in
            var rows = DSPRows(buffer: buffer.baseAddress!, weights: r.weighted.row(0),
                               count: Int32(truncatingIfNeeded: r.record.outC))
            return PlainGatherKernel.run(r, x, input: src, activity: activity, readout: readout, counting: counting,
                                         rows: &rows)
        }
    }
}

/// Whole output pixels summed by `joule_dsp_pixel` (`sumsPixels`): it lists the window's non-zero
/// rows, pairs of rows as three words (their byte offsets from the layer's first row, their two
/// inputs in one word), and adds the list by `SMLAD` whenever it is full and at the pixel's end.
struct DSPRows: RowAccumulator {
    /// The list: `JOULE_DSP_LIST_ROWS / 2` pairs of three UInt32 (384 bytes of the kernel's stack
    /// frame).
    typealias Storage = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    let list: UnsafeMutablePointer<UInt32>
    let weights: UnsafeRawPointer
    let count: Int32
    /// The layer as `joule_dsp_pixel` walks it (`begin`).
    var layer = joule_dsp_layer()

    init(buffer: UnsafeMutableRawPointer, weights: UnsafeRawPointer, count: Int32) {
        list = buffer.bindMemory(to: UInt32.self, capacity: Int(JOULE_DSP_LIST_ROWS) / 2 * 3)
        self.weights = weights
        self.count = count
    }

    /// Row by row (`WeightRow.multiplyAccumulate`): only the fully connected layers' flat walk
    /// adds rows one by one, and the plain-kernel builds this kernel ships in leave that walk out.
    @inline(__always)
    mutating func add(_ row: UnsafeRawPointer, x: Int32, into acc: UnsafeMutablePointer<Int32>) {
        WeightRow.multiplyAccumulate(row, bits: 8, x: x, into: acc, count: Int(count))
    }

    @inline(__always)
    mutating func flush(into acc: UnsafeMutablePointer<Int32>) {}

    static var sumsPixels: Bool { true }

    mutating func begin(_ w: WeightedLayer, packedBits: Int, spikeCounts: Bool) {
        let r = w.record
        func i32(_ v: Int) -> Int32 { Int32(truncatingIfNeeded: v) }
        layer = joule_dsp_layer(weights: weights.assumingMemoryBound(to: Int8.self),
                                row_counts: w.rowCounts.assumingMemoryBound(to: UInt32.self),
                                row_bytes: i32(r.rowBytes), count: count, in_c: i32(r.inC), plane: i32(r.inH &* r.inW),
                                in_w: i32(r.inW), kernel_w: i32(w.kernelW), taps: i32(w.kernelH &* w.kernelW),
                                bits: i32(packedBits), spike_counts: spikeCounts ? 1 : 0)
    }

    @inline(__always)
    mutating func sumPixel(_ codes: UnsafeRawPointer, line: Int, row: Int, lines: Int, width: Int,
                           acc: UnsafeMutablePointer<Int32>, operations: inout UInt64, rowsRead: inout UInt64) {
        func i32(_ v: Int) -> Int32 { Int32(truncatingIfNeeded: v) }
        joule_dsp_pixel(&layer, codes.assumingMemoryBound(to: UInt8.self), i32(line), i32(row), i32(lines), i32(width),
                        acc, list, &operations, &rowsRead)
    }
}
#endif
