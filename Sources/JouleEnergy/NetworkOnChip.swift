/// How a layer's outputs travel over a network-on-chip.
public enum PacketEncoding: UInt8, Sendable {
    /// One packet per event (non-zero code or spike): `payload bits × sparse price × hops` plus a
    /// fixed per-packet price. Loihi-like.
    case sparse
    /// The whole output map every time (every code, or a 1-bit spike map per timestep):
    /// `traffic bits × dense price × hops`.
    case dense
    /// Whichever of the two is cheaper for the layer at hand.
    case cheapest
}

/// Network-on-chip parameters; a board without a NoC sets `averageHops` to 0.
public struct NetworkOnChip: Equatable, Sendable {
    /// Average router hops a packet crosses (paper v4: ≈ 0.64 for a mesh-mapped VGG16).
    public var averageHops: Double
    /// Dense move energy per bit per hop (pJ). Paper v4 (22 nm): 0.25.
    public var densePJPerBitHop: Double
    /// Sparse (per-event) energy per payload bit per hop, address overhead folded in (pJ).
    /// Paper v4 (22 nm): 3.0.
    public var sparsePJPerBitHop: Double
    /// Fixed energy per sparse packet, independent of hops (pJ); e.g. Loihi's in-tile spike 1.7 pJ.
    public var sparsePacketPJ: Double
    /// Encoding the QNN twin's activations use.
    public var qnnEncoding: PacketEncoding
    /// Encoding the SNN twin's spikes use.
    public var snnEncoding: PacketEncoding

    /// Creates NoC parameters.
    public init(averageHops: Double, densePJPerBitHop: Double, sparsePJPerBitHop: Double,
                sparsePacketPJ: Double, qnnEncoding: PacketEncoding, snnEncoding: PacketEncoding) {
        self.averageHops = averageHops
        self.densePJPerBitHop = densePJPerBitHop
        self.sparsePJPerBitHop = sparsePJPerBitHop
        self.sparsePacketPJ = sparsePacketPJ
        self.qnnEncoding = qnnEncoding
        self.snnEncoding = snnEncoding
    }

    /// A board without a network-on-chip (every NoC price zero).
    public static var none: NetworkOnChip {
        NetworkOnChip(averageHops: 0, densePJPerBitHop: 0, sparsePJPerBitHop: 0, sparsePacketPJ: 0,
                      qnnEncoding: .dense, snnEncoding: .dense)
    }

    /// Energy of `events` sparse packets of `payloadBits` each (pJ).
    @inlinable
    public func sparseEnergy(events: Double, payloadBits: Int) -> Double {
        events * (Double(payloadBits) * sparsePJPerBitHop * averageHops + sparsePacketPJ)
    }

    /// Energy of moving `bits` densely (pJ).
    @inlinable
    public func denseEnergy(bits: Double) -> Double {
        bits * densePJPerBitHop * averageHops
    }

    /// Energy under `encoding`, given both alternatives (pJ).
    @inlinable
    public static func choose(_ encoding: PacketEncoding, sparse: Double, dense: Double) -> Double {
        switch encoding {
        case .sparse: return sparse
        case .dense: return dense
        case .cheapest: return sparse < dense ? sparse : dense
        }
    }
}
