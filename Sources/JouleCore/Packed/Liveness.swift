/// When each arena buffer holds data that is still needed, in *time steps*: time 0 is "input
/// written", time `i + 1` is "layer `i` runs", time `layerCount + 1` is "scores read".
/// Two buffers whose ranges intersect must not share bytes; the host planner packs by these
/// ranges and the validator checks the file's plan against them.
public struct LiveRange: Equatable, Sendable {
    /// First and last time (inclusive).
    public var first: Int
    public var last: Int

    public init(first: Int, last: Int) {
        self.first = first
        self.last = last
    }

    @inlinable
    public func overlaps(_ other: LiveRange) -> Bool {
        first <= other.last && other.first <= last
    }
}

/// The buffers of a plan.
public enum BufferRole: Int, Sendable {
    case output = 0
    case scratch = 1
    case state = 2
}

public enum Liveness {
    /// Live range of the model input buffer. `lastInputReader`: last layer reading the model input.
    public static func input(mode: ExecutionMode, layerCount: Int, lastInputReader: Int) -> LiveRange {
        // Streaming reads the input at step 0 only, but keep it whole-run: the caller may read it.
        mode == .snnStreaming ? LiveRange(first: 0, last: layerCount + 1)
            : LiveRange(first: 0, last: max(0, lastInputReader + 1))
    }

    /// Live range of a layer's buffer in `role`.
    /// - Parameters:
    ///   - layer: the layer's index.
    ///   - lastReader: the last layer reading its output (−1: none).
    public static func range(_ role: BufferRole, layer: Int, mode: ExecutionMode,
                             layerCount: Int, lastReader: Int) -> LiveRange {
        let end = layerCount + 1
        switch role {
        case .output:
            if layer == layerCount - 1 {
                // Streaming scores accumulate across all timesteps: live for the whole run.
                return LiveRange(first: mode == .snnStreaming ? 0 : layer + 1, last: end)
            }
            return LiveRange(first: layer + 1, last: max(layer + 1, lastReader + 1))
        case .scratch:
            return LiveRange(first: layer + 1, last: layer + 1)
        case .state:
            return mode == .snnStreaming ? LiveRange(first: 0, last: end)
                : LiveRange(first: layer + 1, last: layer + 1)
        }
    }
}
