import Foundation

/// A tiny hand-written SVG builder: elements are appended as text; coordinates in pixels.
public struct SVGDocument {
    /// Canvas size (px).
    public let width: Double, height: Double
    private var body: [String] = []

    /// Creates an empty white canvas.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
        body.append("<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>")
    }

    /// Escapes text for XML content and attributes.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Formats a coordinate with at most two decimals.
    func f(_ v: Double) -> String { String(format: "%.2f", v) }

    /// A straight line.
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                              stroke: String = "#000", width w: Double = 1, dash: String? = nil) {
        body.append("<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(f(w))\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
    }

    /// An open polyline through `points`; `dash` is an SVG `stroke-dasharray` (nil: solid).
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width w: Double = 2, dash: String? = nil) {
        let p = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(f(w))\""
            + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
    }

    /// Marker shapes that tell coinciding series apart.
    public enum MarkerShape: CaseIterable { case circle, square, diamond, triangle, triangleDown, cross }

    /// A filled marker of `shape` centred on (`cx`, `cy`), about `size` px across.
    public mutating func marker(_ shape: MarkerShape, _ cx: Double, _ cy: Double, size: Double = 7, fill: String) {
        let r = size / 2
        func polygon(_ pts: [(Double, Double)]) {
            let p = pts.map { "\(f(cx + $0.0)),\(f(cy + $0.1))" }.joined(separator: " ")
            body.append("<polygon points=\"\(p)\" fill=\"\(fill)\"/>")
        }
        switch shape {
        case .circle: circle(cx, cy, r: r, fill: fill)
        case .square: rect(cx - r * 0.9, cy - r * 0.9, r * 1.8, r * 1.8, fill: fill)
        case .diamond: polygon([(0, -r * 1.2), (r * 1.2, 0), (0, r * 1.2), (-r * 1.2, 0)])
        case .triangle: polygon([(0, -r * 1.2), (r * 1.1, r * 0.8), (-r * 1.1, r * 0.8)])
        case .triangleDown: polygon([(0, r * 1.2), (r * 1.1, -r * 0.8), (-r * 1.1, -r * 0.8)])
        case .cross:
            line(cx - r, cy - r, cx + r, cy + r, stroke: fill, width: 2)
            line(cx - r, cy + r, cx + r, cy - r, stroke: fill, width: 2)
        }
    }

    /// A filled circle.
    public mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(f(r))\" fill=\"\(fill)\"/>")
    }

    /// A filled rectangle.
    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String) {
        body.append("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\"/>")
    }

    /// Text; `anchor` is start, middle or end; `rotate` in degrees about the anchor point.
    public mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double = 12,
                              anchor: String = "start", fill: String = "#000", rotate: Double? = nil) {
        let r = rotate.map { " transform=\"rotate(\(f($0)) \(f(x)) \(f(y)))\"" } ?? ""
        body.append("<text x=\"\(f(x))\" y=\"\(f(y))\" font-family=\"sans-serif\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(r)>\(SVGDocument.escape(s))</text>")
    }

    /// The complete SVG text.
    public func render() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\">\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }
}
