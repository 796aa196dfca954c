/// Paper 1's Table 5 ("Reconsidering the energy efficiency of SNNs", CIFAR-10, T = 6), as
/// `../shared/docs/science.md` quotes it: the values Joule's own trained twins are printed beside.
/// `nil` where the paper reports no value. Ratios are SNN energy over QNN energy on the paper's
/// classic (multi-level memory) and spatial-dataflow architectures, which Joule models as the
/// boards `paper-v1-classic-45nm` and `paper-v1-dataflow-45nm`.
public struct PaperTable5Row: Sendable {
    public var network: String
    /// Joule model names (the trainer's `--model`) this row is the paper's value for.
    public var modelNames: [String]
    public var dataset: String
    public var timesteps: Int
    public var accuracy: Double?
    public var sparsity: Double?
    /// SNN / QNN energy per board name.
    public var ratios: [String: Double]
}

public enum PaperTable5 {
    public static let classicBoard = "paper-v1-classic-45nm"
    public static let dataflowBoard = "paper-v1-dataflow-45nm"

    public static let rows: [PaperTable5Row] = [
        PaperTable5Row(network: "VGG16", modelNames: ["vgg16"], dataset: "CIFAR-10", timesteps: 6,
                       accuracy: 0.9276, sparsity: 0.9419,
                       ratios: [classicBoard: 0.85, dataflowBoard: 0.78]),
        // accuracy from the v1 abstract ("69 % of the energy … while maintaining 94.18 %")
        PaperTable5Row(network: "VGG*", modelNames: ["vgg-star"], dataset: "CIFAR-10", timesteps: 6,
                       accuracy: 0.9418, sparsity: nil,
                       ratios: [classicBoard: 0.70, dataflowBoard: 0.69]),
    ]

    /// The paper's row for a Joule model name, if there is one.
    public static func row(forModel name: String) -> PaperTable5Row? {
        rows.first { $0.modelNames.contains(name) }
    }
}
