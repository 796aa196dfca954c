/// The parts of the dense convolution's layout (`DenseScratch`) that every instruction set's
/// kernel (`x86/DenseConvolutionAVX2.swift`, `arm/DenseConvolutionNEON.swift`) fills the same
/// way, in portable Swift: the block masks from the pixel masks, the all-groups masks of dense
/// inputs, and the folded layers' window copies.
extension WeightedLayer {
    /// Both dense kernels' `prepare` (`WeightedKernel.prepare`): the group masks of layer `r`'s
    /// scratch built by `groupMasks` (the kernel's pixel masks, then `fillDenseBlockMasks`; it
    /// returns the (block, group) pairs the kernel will visit) for inputs `masksInput` accepts —
    /// always under `.dense`, so that tests run both —, all groups otherwise; the visited pairs
    /// price the run under `.automatic` (nil under other policies).
    static func prepareDense(_ r: KernelRequest, _ x: Interpreter, input src: UnsafePointer<UInt8>,
                             activity: InputActivity?, groupMasks: (DenseScratch) -> Int) -> Int64? {
        let w = r.weighted, layer = r.record
        let policy = x.convolutionKernel
        let layout = DenseScratch(scratch: x.alignedScratch(layer: r.layer), layer: layer)
        var masked = DenseScratch.masks(layer)
        if masked && policy != .dense {
            let nonZero = activity?.nonZero ?? Int(truncatingIfNeeded: ByteCounts.nonZero(src, count: layer.inputCount))
            masked = DenseScratch.masksInput(layer, nonZero: nonZero)
        }
        let active = masked ? groupMasks(layout) : w.denseAllGroups(layout)
        return policy == .automatic ? w.densePicoseconds(activeGroups: active) ?? Int64.max : nil
    }

    /// Fills `layout.blockMasks` from its pixel masks (`DenseScratch.pixelMasks`, filled by the
    /// kernel) — for each block the OR over its pixels' windows: per output row the block
    /// touches, kernelH rows × (its pixels there + kernelW − 1) columns, clipped to the input —
    /// and returns the number of (block, input-channel group) pairs set.
    func fillDenseBlockMasks(_ layout: DenseScratch) -> Int {
        let r = record
        let words = DenseScratch.maskWords(r)
        var active = 0
        let outputs = r.outH * r.outW
        for b in 0..<DenseScratch.blockCount(r) {
            let out = layout.blockMasks + b * words
            for word in 0..<words { out[word] = 0 }
            var p = b * DenseScratch.pixels
            let end = min(p + DenseScratch.pixels, outputs)
            while p < end {
                let oy = p / r.outW, ox = p - oy * r.outW
                let last = min(r.outW, ox + end - p)  // this row's pixels of the block: ox..<last
                let yLo = max(0, oy - padH), yHi = min(r.inH, oy - padH + kernelH)
                let xLo = max(0, ox - padW), xHi = min(r.inW, last - 1 - padW + kernelW)
                for word in 0..<words {
                    var m: UInt64 = 0
                    var y = yLo
                    while y < yHi {
                        var x = xLo
                        while x < xHi { m |= layout.pixelMasks[(y * r.inW + x) * words + word]; x += 1 }
                        y += 1
                    }
                    out[word] |= m
                }
                p += last - ox
            }
            for word in 0..<words { active &+= out[word].nonzeroBitCount }
        }
        return active
    }

    /// Sets every block's mask to all groups (for an input dense enough that masks would not
    /// skip anything) and returns their number, `blockCount · groups`.
    func denseAllGroups(_ layout: DenseScratch) -> Int {
        let r = record
        let words = DenseScratch.maskWords(r), groups = DenseScratch.channels(r) / 4
        let count = DenseScratch.blockCount(r)
        // Every word but the last all ones; the last has the remaining groups' bits.
        let tail = groups - 64 * (words - 1)
        // `tail` ones, without a variable 64-bit shift (which 32-bit Embedded targets cannot compile
        // without allocating).
        var last: UInt64 = 0
        for _ in 0..<tail { last = last &<< 1 | 1 }
        if words == 1 {
            layout.blockMasks.update(repeating: last, count: count)
        } else {
            layout.blockMasks.update(repeating: ~0, count: count * words)
            for block in 1...count { layout.blockMasks[block * words - 1] = last }
        }
        return count * groups
    }

    /// Copies the windows of a layer that `DenseScratch.folds` into the zeroed `out`: per output
    /// pixel `(oy, ox)` at `(oy · outW + ox) · channels` bytes (one row of pixels), value
    /// `(ci · kernelH + ky) · kernelW + kx` is input `(ci, oy + ky − padH, ox + kx − padW)` (those
    /// outside the input, and the padding channels and columns, stay 0); a byte each, or with
    /// `wide` a UInt16 (value `q` at byte `2q`).
    @inline(__always)
    func copyFoldedWindows(_ input: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, channels: Int,
                           wide: Bool) {
        let r = record
        let plane = r.inH * r.inW
        if !wide && r.inC == 1 && kernelW == 3 && padW == 1 && r.outW == r.inW && r.inW >= 4 && 3 * kernelH < channels {
            // One input channel, 3 taps a kernel row, one column of padding (W2's first layer):
            // a pixel's taps of kernel row ky are values 3ky…3ky + 2, input bytes ox − 1…ox + 1
            // — one 32-bit load and store (its fourth byte 0: the next kernel row's store, in
            // ascending ky, overwrites it, or it is that row's padding) instead of three bytes
            // of nine strided walks. The first two and last pixels, whose loads would leave the
            // row, byte by byte.
            let w = r.inW
            for ky in 0..<kernelH {
                for oy in 0..<r.outH {
                    let y = oy + ky - padH
                    guard y >= 0, y < r.inH else { continue }
                    let src = input + y * w
                    let row = out + oy * w * channels + 3 * ky
                    row[1] = src[0]; row[2] = src[1]  // ox = 0: tap kx = 0 is padding
                    var ox = 1
                    while ox <= w - 3 {
                        let bytes = UnsafeRawPointer(src + ox - 1).loadUnaligned(as: UInt32.self) & UInt32(littleEndian: 0x00FF_FFFF)
                        UnsafeMutableRawPointer(row + ox * channels).storeBytes(of: bytes, as: UInt32.self)
                        ox &+= 1
                    }
                    let penultimate = row + (w - 2) * channels
                    penultimate[0] = src[w - 3]; penultimate[1] = src[w - 2]; penultimate[2] = src[w - 1]
                    let last = row + (w - 1) * channels
                    last[0] = src[w - 2]; last[1] = src[w - 1]  // tap kx = 2 is padding
                }
            }
            return
        }
        // One folded channel q = (ci, ky, kx) at a time: output row oy reads input row
        // oy + ky − padH, columns ox + kx − padW for the ox that land inside the input.
        var q = 0
        for ci in 0..<r.inC {
            for ky in 0..<kernelH {
                for kx in 0..<kernelW {
                    let xLo = max(0, padW - kx), xHi = max(xLo, min(r.outW, r.inW + padW - kx))
                    for oy in 0..<r.outH {
                        let y = oy + ky - padH
                        guard y >= 0, y < r.inH else { continue }
                        let src = input + ci * plane + y * r.inW + kx - padW
                        var ox = xLo
                        if wide {
                            var dst = UnsafeMutableRawPointer(out + (oy * r.outW + xLo) * channels + 2 * q)
                            while ox < xHi {
                                dst.storeBytes(of: UInt16(src[ox]).littleEndian, as: UInt16.self)
                                dst += channels
                                ox &+= 1
                            }
                        } else {
                            var dst = out + (oy * r.outW + xLo) * channels + q
                            while ox < xHi {
                                dst.pointee = src[ox]
                                dst += channels
                                ox &+= 1
                            }
                        }
                    }
                    q += 1
                }
            }
        }
    }
}
