/// The texts an `encode` reads, opened before any output exists (so a missing file fails
/// first): folders walked (`DirectoryWalker`), streams spooled, and, the way ripgrep walks,
/// files found in a folder that are not text left out with a reason (a known binary format,
/// a NUL byte, later invalid UTF-8). A file named on the command line, or any file under
/// `strict`, is an error instead when it is a known binary format or not UTF-8.
struct TextInputs {
    struct Text {
        /// The path as given, for messages.
        let path: String
        /// The document's name: the path without a leading "./".
        let name: String
        let file: SystemFile
        /// May be skipped (found in a folder, not `strict`) rather than fail the encode.
        let skippable: Bool
    }

    private(set) var texts: [Text] = []
    private(set) var skipped: [SkippedFile] = []

    /// Bytes read to decide whether a file is text.
    static let sniffLength = 4096

    init(_ inputs: [String], walk: WalkOptions, strict: Bool, onSkip: (SkippedFile) -> Void) throws {
        let expanded = try DirectoryWalker.expand(inputs, options: walk)
        guard !expanded.isEmpty else { throw ProteusError(.noInput, path: inputs.first, "holds no text files") }
        for input in expanded {
            let path = input.path
            if path == "-" {
                texts.append(Text(path: path, name: path, file: try TextCorpusEncoder.spool(descriptor: 0, name: path),
                                  skippable: false))
                continue
            }
            if SystemFile.isPipe(path) {
                let pipe = try SystemFile(openForReading: path, allowNonRegular: true)
                texts.append(Text(path: path, name: path,
                                  file: try TextCorpusEncoder.spool(descriptor: pipe.descriptor, name: path), skippable: false))
                continue
            }
            let skippable = input.walked && !strict
            do {
                let file = try SystemFile(openForReading: path)
                let head = try file.readBytes(at: 0, count: Int(min(file.size, UInt64(TextInputs.sniffLength))))
                if let kind = FileSniffer.kind(head) {
                    throw ProteusError(.dataError, path: path, "not text (\(kind.name))" + (skippable ? "" : kind.hint.map { "; \($0)" } ?? ""))
                }
                // ripgrep's test for binary files it finds; a file named (or --strict) is
                // encoded as before: a NUL is a character to the tokenizer.
                if skippable, let nul = head.firstIndex(of: 0) {
                    throw ProteusError(.dataError, path: path, "not text (binary data: a NUL byte at byte \(nul))")
                }
                texts.append(Text(path: path, name: TextInputs.documentName(path), file: file, skippable: skippable))
            } catch let error as ProteusError where skippable {
                skip(SkippedFile(path: path, reason: error.message), onSkip)
            }
        }
    }

    /// Records and reports a file left out.
    mutating func skip(_ file: SkippedFile, _ onSkip: (SkippedFile) -> Void) {
        skipped.append(file)
        onSkip(file)
    }

    /// A document's name: the path as given, without a leading "./".
    static func documentName(_ path: String) -> String {
        path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }
}
