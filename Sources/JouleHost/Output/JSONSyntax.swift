import Foundation

/// Locates JSON syntax errors for messages: line and column (1-based) of the first error and the
/// offending line with a caret under the column.
public enum JSONSyntax {
    /// The syntax error in `data` as "line L, column C: reason" plus the line and a caret, or `nil`
    /// when `data` is valid JSON (then a decoding error is about fields, not syntax).
    public static func error(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let debug = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
            if let offset = characterOffset(debug) { return locate(offset: offset, in: data, reason: reason(debug)) }
            if debug.lowercased().contains("end of file") {
                // Points after the last non-blank character: where the missing text belongs.
                var end = data.count
                while end > 0, [0x20, 0x0A, 0x0D, 0x09].contains(data[data.startIndex + end - 1]) { end -= 1 }
                return locate(offset: end, in: data, reason: "the document ends before it is complete")
            }
            return debug
        }
    }

    /// "line L, column C: reason" for the byte `offset` of `data`, then the line and a caret.
    static func locate(offset: Int, in data: Data, reason: String) -> String {
        let bytes = [UInt8](data)
        let at = min(max(0, offset), bytes.count)
        var line = 1, lineStart = 0
        for i in 0..<at where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        var lineEnd = lineStart
        while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        let prefix = String(decoding: bytes[lineStart..<at], as: UTF8.self)
        let column = prefix.count + 1
        let text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        let shown = text.count > 120 ? String(text.prefix(120)) + "…" : text
        let caret = column <= 121 ? "\n    " + String(repeating: " ", count: column - 1) + "^" : ""
        return "line \(line), column \(column): \(reason)\n    \(shown)\(caret)"
    }

    /// The offset in "… around character 48." (Foundation's message), if any.
    static func characterOffset(_ debug: String) -> Int? {
        guard let range = debug.range(of: "character ") else { return nil }
        let digits = debug[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// The message without its "around character N." tail.
    static func reason(_ debug: String) -> String {
        guard let range = debug.range(of: " around character") else { return debug }
        return String(debug[..<range.lowerBound])
    }
}
