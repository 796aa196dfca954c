import JouleCore

/// Host convenience over the core `Interpreter`: owns an arena of exactly the plan's size and
/// returns scores and per-layer counters as arrays.
public final class ModelRunner {
    public let file: PackedModelFile
    public let mode: ExecutionMode
    public let arena: UnsafeMutableRawBufferPointer
    var interpreter: Interpreter
    var counterStorage: [EventCounters]
    let kernelStorage: UnsafeMutableBufferPointer<LayerKernel>
    let prepacked: UnsafeMutableRawBufferPointer?
    /// The runner whose prepacked data this one reads (`sharingPrepackOf`), kept alive with it.
    let prepackOwner: ModelRunner?

    /// - Parameters:
    ///   - arenaBytes: arena size to allocate; default the plan's `arenaBytes`.
    ///   - prepack: make what depends on the model alone once, here (`Interpreter.prepack`: the
    ///     QNN's dense-convolution weights and count tables, the counters' tap prefix sums),
    ///     instead of in every run; false to measure or test without.
    ///   - sharingPrepackOf: a runner of the same file whose prepacked data this one reads instead
    ///     of making its own (`Interpreter.sharePrepack`: the QNN and the layer-wise SNN prepack
    ///     the same bytes); ignored where either runs the streaming SNN, the owner holds none
    ///     (another file's bytes, or made without) or `prepack` is false.
    public init(file: PackedModelFile, mode: ExecutionMode, arenaBytes: Int? = nil, prepack: Bool = true,
                sharingPrepackOf owner: ModelRunner? = nil) throws {
        self.file = file
        self.mode = mode
        let size = max(0, arenaBytes ?? file.model.plan(mode).arenaBytes)
        let storage = HostBuffer.allocate(byteCount: size)
        do {
            interpreter = try Interpreter(model: file.model,
                                          arena: UnsafeMutableRawBufferPointer(rebasing: storage[0..<size]), mode: mode)
        } catch {
            storage.deallocate()
            let what = PackedModelFile.describe(error, layerName: error.layer >= 0 ? file.layerName(error.layer) : nil)
            guard error.code == .arenaTooSmall else { throw JouleHostError("\(file.path): \(what)") }
            throw JouleHostError("\(file.path): \(what): the \(mode) plan needs "
                + "\(file.model.plan(mode).arenaBytes) bytes (16-byte aligned), the arena has \(size)")
        }
        arena = storage
        counterStorage = Array(repeating: EventCounters(), count: file.model.layerCount)
        kernelStorage = .allocate(capacity: file.model.layerCount)
        kernelStorage.initialize(repeating: .plainGather)
        interpreter.kernelLog = kernelStorage
        let prepackBytes = prepack ? Interpreter.prepackBytes(for: file.model, mode: mode) : 0
        if prepackBytes > 0, let owner, owner.prepacked != nil,
           (try? interpreter.sharePrepack(of: owner.interpreter)) != nil {  // else its own copy
            prepacked = nil
            prepackOwner = owner
        } else if prepackBytes > 0 {
            let buffer = HostBuffer.allocate(byteCount: prepackBytes, alignment: 32)
            try? interpreter.prepack(into: buffer)  // sized and aligned here: cannot throw
            prepacked = buffer
            prepackOwner = nil
        } else {
            prepacked = nil
            prepackOwner = nil
        }
    }

    deinit {
        arena.deallocate()
        kernelStorage.deallocate()
        prepacked?.deallocate()
    }

    /// Bytes of prepacked weights this runner holds besides the arena (0 without, or when it
    /// shares another runner's).
    public var prepackedBytes: Int { prepacked?.count ?? 0 }

    /// The kernel each layer ran with in the last run (`.plainGather` everywhere before the
    /// first).
    public var lastKernels: [LayerKernel] { Array(kernelStorage) }

    public struct Result: Sendable {
        public var scores: [Int64]
        public var counters: [EventCounters]
        public var total: EventCounters {
            counters.reduce(into: EventCounters()) { $0.add($1) }
        }
        /// Index of the largest score (the first on ties).
        public var predictedClass: Int {
            scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) } ?? 0
        }
    }

    /// Value `index` (CHW) of layer `layer`'s activation output as the arena holds it now,
    /// unpacked where the plan packs codes (`Interpreter.outputValue`); read it from `afterLayer`.
    public func outputValue(layer: Int, at index: Int) -> Int {
        Int(interpreter.outputValue(layer: layer, at: index))
    }

    /// Which kernel QNN convolutions run where several apply (`ConvolutionKernelPolicy`).
    public var convolutionKernel: ConvolutionKernelPolicy {
        get { interpreter.convolutionKernel }
        set { interpreter.convolutionKernel = newValue }
    }

    /// The kernel each layer runs with at `timesteps` as plan and policy say before any input is
    /// seen (`Interpreter.kernel(layer:timesteps:)`); `lastKernels` has what a run really chose.
    public func kernels(timesteps: Int) -> [LayerKernel] {
        (0..<file.model.layerCount).map { interpreter.kernel(layer: $0, timesteps: timesteps) }
    }

    /// Runs one input (`C·H·W` bytes, CHW). `counting: false` runs without event counters (the
    /// result's counters are then all zero): what the benchmark compares to measure their cost.
    public func run(input: [UInt8], timesteps: Int, readout: Readout = .membrane, counting: Bool = true,
                    afterLayer: (Int) -> Void = { _ in }) throws -> Result {
        let dst = interpreter.input
        guard input.count == dst.count else {
            throw JouleHostError("input has \(input.count) bytes, the model expects \(dst.count) "
                + "(\(file.model.inputChannels)×\(file.model.inputHeight)×\(file.model.inputWidth))")
        }
        input.withUnsafeBytes { dst.copyMemory(from: $0) }
        if !counting {
            for i in counterStorage.indices { counterStorage[i] = EventCounters() }
        }
        try counterStorage.withUnsafeMutableBufferPointer { storage in
            let counters = counting ? storage : UnsafeMutableBufferPointer(start: storage.baseAddress, count: 0)
            do throws(JouleError) {
                try interpreter.run(timesteps: timesteps, readout: readout, counters: counters, afterLayer: afterLayer)
            } catch {
                throw JouleHostError(PackedModelFile.describe(error))
            }
        }
        return Result(scores: Array(interpreter.scores), counters: counterStorage)
    }
}
