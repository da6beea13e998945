/// A question's words that name documents: "grep count matching lines" asks about grep, and
/// the line of grep's manual that answers it ("-c: print a count of matching lines") need
/// not say "grep" itself, where a line of another manual that does ("GREP_COLORS ... matching
/// lines") otherwise wins. A word of the question that is a word of a document's file name
/// (its last path component up to the first dot: "grep" of "info/grep.info.txt", "sysctl" of
/// "ip-sysctl.rst") counts as held, at `PassageScorer.otherWordShare` of its weight, by every
/// passage of that document, as a search engine weighs a title: never as a quote
/// (`Passage.coverage` and the found rules read the text alone), and no pair with the words
/// beside it.
struct DocumentNames {
    /// The documents a word of the question names: each one's token range and the slots it
    /// credits. A word that names every document tells none apart and credits none (the one
    /// file of a corpus given as a single file).
    let named: [Int: (range: Range<UInt64>, slots: [Int])]

    static let none = DocumentNames(named: [:])

    /// Most documents whose names are read for each question: past this (a dataset of
    /// millions of one-line documents) the names are not read at all, so a question's process
    /// stays as quick as the index is large.
    static let mostDocuments = 1 << 16

    /// Shortest word of a name that counts ("a", "of" name nothing).
    static let shortestWord = 3

    /// The documents `documents` names with the question's words `slotsOfWord` (each word
    /// lowercased, with the slots of its tokens).
    init(documents: IndexDocuments, slotsOfWord: [[UInt8]: [Int]]) {
        guard !slotsOfWord.isEmpty, documents.count <= Self.mostDocuments else {
            self = .none
            return
        }
        var found: [Int: [Int]] = [:]
        var documentsOfSlot: [Int: Int] = [:]
        // The lengths of the question's words, a bit each: most words of names are looked up
        // no further (this runs for every document of the index, for every question).
        let lengths = slotsOfWord.keys.reduce(UInt64(0)) { $0 | 1 << UInt64(min($1.count, 63)) }
        var scratch: [UInt8] = []
        for d in 0..<documents.count {
            let from = Int(documents.nameOffsets[d]), to = Int(documents.nameOffsets[d + 1])
            var slots: [Int] = []
            Self.forEachWord(ofName: UnsafeRawBufferPointer(rebasing: documents.namePool[from..<to]), in: &scratch) { word in
                guard lengths >> UInt64(min(word.count, 63)) & 1 != 0, let s = slotsOfWord[word] else { return }
                for slot in s where !slots.contains(slot) { slots.append(slot) }
            }
            guard !slots.isEmpty else { continue }
            found[d] = slots.sorted()
            for slot in slots { documentsOfSlot[slot, default: 0] += 1 }
        }
        var named: [Int: (range: Range<UInt64>, slots: [Int])] = [:]
        for (d, slots) in found {
            let telling = slots.filter { documentsOfSlot[$0]! < documents.count }
            guard !telling.isEmpty else { continue }
            named[d] = (documents.starts[d]..<(documents.starts[d] + documents.lengths[d]), telling)
        }
        self.named = named
    }

    init(named: [Int: (range: Range<UInt64>, slots: [Int])]) {
        self.named = named
    }

    /// Calls `body` with each word of the name's file stem, lowercased: runs of ASCII letters
    /// and digits of at least `shortestWord`, from after the last "/" to the first "." after it.
    static func forEachWord(ofName name: UnsafeRawBufferPointer, _ body: ([UInt8]) -> Void) {
        var scratch: [UInt8] = []
        forEachWord(ofName: name, in: &scratch, body)
    }

    /// The same, each word built in `word` (reused from name to name).
    private static func forEachWord(ofName name: UnsafeRawBufferPointer, in word: inout [UInt8], _ body: ([UInt8]) -> Void) {
        var start = 0
        for (i, b) in name.enumerated() where b == 0x2F { start = i + 1 }
        var end = start
        while end < name.count && name[end] != 0x2E { end += 1 }
        word.removeAll(keepingCapacity: true)
        for b in name[start..<end] {
            if ASCIICase.isAlphanumeric(b) {
                word.append(ASCIICase.lowercased(byte: b))
                continue
            }
            if word.count >= shortestWord { body(word) }
            word.removeAll(keepingCapacity: true)
        }
        if word.count >= shortestWord { body(word) }
    }

    /// The question's words of ASCII letters and digits, lowercased, with the slots of the
    /// tokens that spell them (a word spelled by a token no slot holds counts for the others).
    static func slotsOfWords(question tokens: [UInt32], terms: QuestionTerms, bytes: (UInt32) -> UnsafeRawBufferPointer?) -> [[UInt8]: [Int]] {
        var found: [[UInt8]: [Int]] = [:]
        var word: [UInt8] = [], slots: [Int] = []
        func flush() {
            if word.count >= shortestWord && !slots.isEmpty { found[word, default: []].append(contentsOf: slots) }
            word.removeAll()
            slots.removeAll()
        }
        for id in tokens {
            guard let b = bytes(id) else { flush(); continue }
            for byte in b {
                if ASCIICase.isAlphanumeric(byte) {
                    word.append(ASCIICase.lowercased(byte: byte))
                    if let s = terms.slot(of: id), terms.weights[s] > 0, !slots.contains(s) { slots.append(s) }
                } else {
                    flush()
                }
            }
        }
        flush()
        return found
    }

    /// The slots document `d` credits by its name (none for most).
    @inline(__always)
    func slots(ofDocument d: Int?) -> [Int] {
        guard let d, !named.isEmpty else { return [] }
        return named[d]?.slots ?? []
    }

    /// Calls `body` with each slot a named document credits and the windows of `windowTokens`
    /// tokens that document overlaps (a passage anchored in one of them may lie in it).
    func forEachNamedSlot(windowTokens: Int, _ body: (_ slot: Int, _ windows: ClosedRange<Int>) -> Void) {
        for (_, (range, slots)) in named where !range.isEmpty {
            let windows = Int(range.lowerBound / UInt64(windowTokens))...Int((range.upperBound - 1) / UInt64(windowTokens))
            for slot in slots { body(slot, windows) }
        }
    }
}
