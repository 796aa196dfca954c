import Foundation
import JouleCore

/// The JSON model description, format `joule-model` version 1 (every field documented in
/// `Models/README.md`).
public struct ModelDescription: Decodable, Sendable {
    public struct Input: Decodable, Sendable {
        public var channels: Int
        public var height: Int
        public var width: Int
        public var scale: Double
    }

    public struct Layer: Decodable, Sendable {
        public var name: String
        public var type: String
        public var input: String?
        public var trainingOnly: Bool?
        public var outChannels: Int?
        public var kernel: [Int]?
        public var stride: [Int]?
        public var padding: [Int]?
        public var outFeatures: Int?
        public var weightBits: Int?
        public var shift: Int?
        public var activation: String?
        public var residual: String?
        public var neuron: Neuron?
    }

    /// A weighted layer's neuron in the SNN (`NeuronModel`); omitted, integrate-and-fire.
    public struct Neuron: Decodable, Sendable {
        /// Membrane decay per step, `0 ≤ β ≤ 1`, a multiple of 2^−16 (1: no leak).
        public var beta: Double?
        /// snnTorch's `reset_delay=True`: a spike's threshold is subtracted at the next step.
        public var resetDelay: Bool?
        /// snnTorch's Heaviside: fire when the membrane is above the threshold, not at it.
        public var fireAboveThreshold: Bool?
        /// snnTorch's `reset_mechanism="zero"`: a spike resets the membrane to 0.
        public var resetToZero: Bool?

        public init(beta: Double? = nil, resetDelay: Bool? = nil, fireAboveThreshold: Bool? = nil, resetToZero: Bool? = nil) {
            self.beta = beta
            self.resetDelay = resetDelay
            self.fireAboveThreshold = fireAboveThreshold
            self.resetToZero = resetToZero
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case beta, resetDelay, fireAboveThreshold, resetToZero }

        /// A misspelt field is an error, not a silent integrate-and-fire neuron.
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: Decoder) throws {
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.first(where: { !known.contains($0.stringValue) }) {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                    debugDescription: "unknown field '\(unknown.stringValue)' (expected beta, resetDelay, fireAboveThreshold, resetToZero)"))
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            beta = try c.decodeIfPresent(Double.self, forKey: .beta)
            resetDelay = try c.decodeIfPresent(Bool.self, forKey: .resetDelay)
            fireAboveThreshold = try c.decodeIfPresent(Bool.self, forKey: .fireAboveThreshold)
            resetToZero = try c.decodeIfPresent(Bool.self, forKey: .resetToZero)
        }
    }

    public var format: String
    public var version: Int
    public var name: String
    public var weights: String
    public var input: Input
    public var timesteps: Int
    public var classes: [String]?
    public var dataset: String?
    public var layers: [Layer]

    /// Reads `path`; every problem is reported with the file and the JSON field path.
    public static func load(path: String) throws -> ModelDescription {
        guard let data = InputFiles.read(path) else {
            throw JouleHostError("\(path): cannot read the file")
        }
        if let syntax = JSONSyntax.error(in: data) {
            throw JouleHostError("\(path): not valid JSON: \(syntax)")
        }
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: data)
        } catch let error as DecodingError {
            throw JouleHostError("\(path): \(describe(error))")
        } catch {
            throw JouleHostError("\(path): not valid JSON (\(error.localizedDescription))")
        }
        guard description.format == "joule-model" else {
            throw JouleHostError("\(path): field 'format' is \"\(description.format)\", expected \"joule-model\"")
        }
        guard description.version == 1 else {
            throw JouleHostError("\(path): field 'version' is \(description.version); this packmodel reads version 1")
        }
        return description
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let s = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return s.hasPrefix(".") ? String(s.dropFirst()) : (s.isEmpty ? "(top level)" : s)
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "missing field '\(key.stringValue)'\(at)"
        case .typeMismatch(let type, let context):
            return "field '\(path(context.codingPath))' has the wrong type: expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))' is null: expected \(typeName(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON (\(context.debugDescription))"
                : "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let s = "\(type)"
            return s.hasPrefix("Array") ? "an array" : (s.hasPrefix("Dictionary") ? "an object" : s)
        }
    }
}
