import JouleCore

extension Packer.Summary {
    /// The human-readable summary `packmodel` prints: one line per layer, then totals and the
    /// arena bytes per mode.
    public func report(model: PackableModel, outputPath: String) -> String {
        var lines: [String] = []
        lines.append("model \(model.name): input \(model.inputChannels)×\(model.inputHeight)×\(model.inputWidth), "
            + "default T = \(model.defaultTimesteps)")
        lines.append(pad("layer", 14) + pad("kind", 8) + pad("output", 14) + lpad("params", 10) + lpad("MACs", 13)
            + lpad("w bits", 7) + "  reads")
        for (i, layer) in model.layers.enumerated() {
            let kind = ["", "conv2d", "linear", "avgpool", "maxpool"][Int(layer.kind.rawValue)]
            let source = layer.inputIndex < 0 ? "input" : model.layers[layer.inputIndex].name
            let residual = layer.residualIndex < 0 ? "" : " + \(model.layers[layer.residualIndex].name)"
            lines.append(pad(layer.name, 14) + pad(kind, 8) + pad("\(layer.outC)×\(layer.outH)×\(layer.outW)", 14)
                + lpad("\(layer.weights.count)", 10) + lpad("\(layer.denseMACs)", 13)
                + lpad(layer.weightBits == 0 ? "-" : "\(layer.weightBits)", 7) + "  \(source)\(residual)")
            _ = i
        }
        lines.append("layers \(model.layers.count), parameters \(model.parameterCount), "
            + "MACs per inference \(model.denseMACs), file \(bytes.count) bytes → \(outputPath)")
        let names = ["QNN", "SNN layer-wise", "SNN streaming"]
        for plan in plans {
            lines.append("arena \(names[Int(plan.mode.rawValue)]): \(plan.arenaBytes) bytes "
                + "(live-set lower bound \(plan.lowerBound))"
                + (plan.codeBits > 0 ? ", codes packed at \(plan.codeBits) bits" : ""))
        }
        return lines.joined(separator: "\n")
    }
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
