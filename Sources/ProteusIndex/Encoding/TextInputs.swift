/// The texts an `encode` reads, each checked before any output exists (so a missing file
/// fails first): folders walked (`DirectoryWalker`), streams spooled, and, the way ripgrep
/// walks, files found in a folder that are not text left out with a reason (a known binary
/// format, a NUL byte, later invalid UTF-8), as are those that vanished or cannot be read.
/// A file named on the command line, or any file under `strict`, is an error instead when
/// it is a known binary format or not UTF-8.
struct TextInputs {
    struct Text {
        /// The path as given, for messages.
        let path: String
        /// The document's name: the path without a leading "./".
        let name: String
        let size: UInt64
        let identity: FileIdentity
        /// May be skipped (found in a folder, not `strict`) rather than fail the encode.
        let skippable: Bool
        /// A stream's spooled copy; files are opened again only when their turn comes, so
        /// a folder of any number of files never runs out of descriptors.
        let spooled: SystemFile?

        func open() throws -> SystemFile { try spooled ?? SystemFile(openForReading: path) }
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
            if SystemFile.isStream(path) {
                let pipe = path == "-" ? nil : try SystemFile(openForReading: path, allowNonRegular: true)
                let spooled = try TextCorpusEncoder.spool(descriptor: pipe?.descriptor ?? 0, name: path)
                texts.append(Text(path: path, name: path, size: spooled.size, identity: spooled.identity, skippable: false,
                                  spooled: spooled))
                continue
            }
            let skippable = input.walked && !strict
            do {
                let file = try SystemFile(openForReading: path)
                try TextInputs.checkIsText(file, path: path, walked: skippable)
                texts.append(Text(path: path, name: TextInputs.documentName(path), size: file.size, identity: file.identity,
                                  skippable: skippable, spooled: nil))
            } catch let error as ProteusError where skippable && error.kind != .ioError {
                // Content, or a file gone or unreadable (ripgrep goes on too); not EMFILE or EIO.
                skip(SkippedFile(path: path, reason: error.message), onSkip)
            }
        }
    }

    /// Refuses a known binary format (with what to do, for a file named on the command
    /// line) and, for a file found in a folder, a NUL byte in its first bytes: ripgrep's test.
    /// A file named (or under --strict) is encoded as before: a NUL is a character to the
    /// tokenizer.
    private static func checkIsText(_ file: SystemFile, path: String, walked: Bool) throws {
        let head = try file.readBytes(at: 0, count: Int(min(file.size, UInt64(sniffLength))))
        if let kind = FileSniffer.kind(head) {
            throw ProteusError(.dataError, path: path, "not text (\(kind.name))" + (walked ? "" : kind.hint.map { "; \($0)" } ?? ""))
        }
        if walked, let nul = head.firstIndex(of: 0) {
            throw ProteusError(.dataError, path: path, "not text (binary data: a NUL byte at byte \(nul))")
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
