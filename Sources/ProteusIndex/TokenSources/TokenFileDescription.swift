/// What `inspect` reports about a token source: format, width, tokens, documents, and for a
/// `.tok` its codec, frames, compression ratio and (optionally) the check of every frame.
public struct TokenFileDescription {
    public let text: String
    public let json: JSONValue
    /// The first bad frame found by verification, to make `inspect --verify` fail.
    public let firstFailure: ProteusError?

    /// `listSkipped`: the text lists every file the encode left out (JSON always has them).
    public init(_ source: TokenSource, file: String, verify: Bool, listSkipped: Bool = false) throws {
        var fields: [(String, JSONValue)] = [
            ("file", .string(file)), ("format", .string(source.formatName)),
            ("width", .string(source.storedWidth.description)), ("tokens", .unsigned(source.tokenCount)),
            ("documents", .integer(Int64(source.documents.count))),
        ]
        var lines = [
            "\(file): \(source.formatName), \(source.storedWidth) tokens",
            "  tokens: \(source.tokenCount)",
            "  documents: \(source.documents.count)",
        ]
        var failure: ProteusError?
        if let tok = source as? TokFile {
            let s = tok.summary
            let ratio = s.compressedBytes > 0 ? Double(s.uncompressedBytes) / Double(s.compressedBytes) : 1
            lines += [
                "  codec: \(s.codec), \(s.frames) data frames of \(s.frameTokens) tokens, format version \(s.formatVersion)",
                "  seek table: " + TokenFileDescription.layoutText(s),
                "  size: \(s.fileBytes) bytes on disk, \(s.compressedBytes) compressed / \(s.uncompressedBytes) raw (ratio \(TokenFileDescription.fixed(ratio, 2)))",
            ]
            fields += [
                ("codec", .string(s.codec.description)), ("frames", .integer(Int64(s.frames))),
                ("frame_tokens", .integer(Int64(s.frameTokens))), ("format_version", .integer(Int64(s.formatVersion))),
                ("seek_table_layout", .string(s.layout.name)), ("seek_table_entries", .integer(Int64(s.seekTableEntries))),
                ("file_bytes", .unsigned(s.fileBytes)), ("compressed_bytes", .unsigned(s.compressedBytes)),
                ("uncompressed_bytes", .unsigned(s.uncompressedBytes)), ("compression_ratio", .number(ratio)),
            ]
            let skipped = tok.skippedFiles
            if !skipped.isEmpty {
                lines.append("  skipped: \(skipped.count) file(s) left out by encode" + (listSkipped ? ":" : " (list them with --skipped)"))
                if listSkipped { lines += skipped.map { "    \($0.path): \($0.reason)" } }
            }
            fields.append(("skipped_files", .array(skipped.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })))
            if verify {
                let report = try tok.verify()
                failure = report.failures.first
                lines.append("  verify: \(report.framesChecked) frames, \(report.bytesChecked) bytes checked, \(report.failures.count) bad")
                for f in report.failures { lines.append("    \(f.message)") }
                fields.append(("verify", .object([
                    ("frames_checked", .integer(Int64(report.framesChecked))),
                    ("bytes_checked", .unsigned(report.bytesChecked)),
                    ("failures", .array(report.failures.map { .string($0.message) })),
                ])))
            }
        } else if verify {
            // Formats without checksums: reading every token is the check there is.
            let result = try TokenScan.run(source)
            lines.append("  verify: all \(result.tokens) tokens read (this format carries no checksums)")
            fields.append(("verify", .object([("tokens_read", .unsigned(result.tokens))])))
        }
        if let t = source.tokenizer {
            lines.append("  tokenizer: \(t.name), vocabulary \(t.vocabularySize), sha256 \(t.sha256Hex)")
            fields.append(("tokenizer", .object([("name", .string(t.name)), ("vocabulary_size", .integer(Int64(t.vocabularySize))),
                                                ("sha256", .string(t.sha256Hex))])))
        } else {
            lines.append("  tokenizer: not recorded")
            fields.append(("tokenizer", .null))
        }
        let docs = source.documents
        let shown = min(docs.count, 10)
        for d in 0..<shown {
            lines.append("  document \(d): \(docs.names[d]) at \(docs.starts[d]), \(docs.lengths[d]) tokens")
        }
        if docs.count > shown { lines.append("  … \(docs.count - shown) more documents") }
        var table: [JSONValue] = []
        docs.forEachDocument { _, start, length, name in
            table.append(.object([("name", .string(String(decoding: name, as: UTF8.self))), ("start", .unsigned(start)),
                                  ("length", .unsigned(length))]))
        }
        fields.append(("document_table", .array(table)))
        text = lines.joined(separator: "\n") + "\n"
        json = .object(fields)
        firstFailure = failure
    }

    /// What a user needs to know about the seek table: can seekable readers use it, and if not, the fix.
    static func layoutText(_ s: TokFileSummary) -> String {
        switch s.layout {
        case .everyFrame:
            let listed = "every frame listed (\(s.seekTableEntries) entries: metadata, \(s.frames) data, documents)"
            return s.codec == .lz4 ? listed : listed + ", zstd seekable readers can seek it"
        case .dataFramesOnly:
            return "data frames only (\(s.seekTableEntries) entries, the old layout), zstd seekable readers cannot seek it; "
                + "'proteus-index convert FILE -o NEW.tok' rewrites it"
        }
    }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        return String(r)
    }
}
