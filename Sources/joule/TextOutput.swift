/// Where a command's text goes: standard output, or nowhere when its JSON goes to standard output
/// (`--json -`), so that the JSON can be piped.
struct TextOutput {
    let enabled: Bool

    /// Text is printed unless `json` is `-`.
    init(json: String?) { enabled = json != "-" }

    func callAsFunction(_ text: String, terminator: String = "\n") {
        if enabled { print(text, terminator: terminator) }
    }
}
