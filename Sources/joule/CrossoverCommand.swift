import ArgumentParser
import Foundation
import JouleHost

/// `joule crossover`: the spike rate below which the SNN beats the QNN on this CPU.
struct CrossoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossover",
        abstract: "Time one conv layer as QNN and as layer-wise SNN over a range of input spike rates; report where the SNN becomes faster.",
        discussion: "The layer is channels→channels, 3×3, pad 1, on size×size, int8 weights (seeded). Its input "
            + "neurons fire independently at each of the T steps with probability r (the spike rate). Writes an SVG plot.")

    @Option(help: "Channels in and out of the layer.") var channels = 64
    @Option(help: "Input height and width.") var size = 14
    @Option(name: [.short, .long], help: "T.") var timesteps = 6
    @Option(help: "Spike rates, comma-separated.") var rates = "0.002,0.005,0.01,0.02,0.03,0.05,0.1,0.2,0.4"
    @Option(help: "Timed rounds per rate (medians).") var rounds = 15
    @Option(help: "SVG output path.") var svg = "crossover.svg"
    @Option(help: "Also write the points as JSON.") var json: String?

    func run() throws {
        try reportingErrors {
            guard channels >= 1, channels <= 4095, size >= 1, size <= 512 else {
                throw JouleHostError("--channels must be 1…4095 and --size 1…512")
            }
            guard timesteps >= 1, timesteps <= 63 else { throw JouleHostError("--timesteps must be 1…63") }
            let list = try rates.split(separator: ",").map { text -> Double in
                guard let r = Double(text.trimmingCharacters(in: .whitespaces)), r > 0, r <= 1 else {
                    throw JouleHostError("--rates: '\(text)' is not a rate in (0, 1]")
                }
                return r
            }
            guard list.count >= 2 else { throw JouleHostError("--rates: give at least two rates") }
            FileHandle.standardError.write(Data("crossover: \(channels)→\(channels) 3×3 on \(size)×\(size), T = \(timesteps), \(list.count) rates × \(rounds) rounds\n".utf8))
            let result = try CrossoverSweep.run(channels: channels, size: size, timesteps: timesteps, rates: list,
                                                rounds: rounds) { k in
                FileHandle.standardError.write(Data("\r  rate \(k)/\(list.count)".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            print("spike rate   non-zero inputs   QNN µs   SNN layer-wise µs   SNN/QNN")
            for p in result.points {
                print(String(format: "%10.4f   %15.3f   %6.1f   %17.1f   %7.2f×", p.rate, p.nonZeroFraction,
                             p.qnnSeconds * 1e6, p.snnSeconds * 1e6, p.snnSeconds / p.qnnSeconds))
            }
            if let c = result.crossover {
                print(String(format: "crossover: the SNN is faster below a spike rate of %.4f (T = %d)", c, timesteps))
            } else {
                let snnWins = result.points.allSatisfy { $0.snnSeconds < $0.qnnSeconds }
                print("crossover: none in the range — the \(snnWins ? "SNN" : "QNN") is faster at every rate measured")
            }
            let title = "SNN vs QNN layer time, \(channels)→\(channels) conv 3×3 on \(size)×\(size), T = \(timesteps)"
            try OutputFile.write(CrossoverSweep.svg(result, title: title), to: svg)
            print("plot: \(svg)")
            if let json {
                let doc: [String: Any] = [
                    "channels": channels, "size": size, "timesteps": timesteps, "crossover": result.crossover ?? NSNull(),
                    "points": result.points.map { ["rate": $0.rate, "nonZeroFraction": $0.nonZeroFraction,
                                                   "qnnSeconds": $0.qnnSeconds, "snnSeconds": $0.snnSeconds] },
                ]
                try OutputFile.write(try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys]),
                                     to: json)
            }
        }
    }
}
