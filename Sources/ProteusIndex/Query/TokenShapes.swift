/// What an answer's extent needs to know of a token's bytes: does it start a word, hold a
/// line break, end a sentence. Read from the tokenizer's ranks the first time an id is
/// met (a query meets a few hundred ids, so no vocabulary-wide table is built).
final class TokenShapes {
    private struct Shape: OptionSet {
        let rawValue: UInt16
        static let known = Shape(rawValue: 1)
        static let wordStart = Shape(rawValue: 2)
        /// Holds a line break.
        static let newline = Shape(rawValue: 4)
        /// Ends with . ! or ? (before trailing whitespace, quotes and brackets).
        static let sentenceEnd = Shape(rawValue: 8)
        /// Holds two line breaks: a blank line, the end of a paragraph.
        static let paragraph = Shape(rawValue: 16)
        /// Starts with a line break.
        static let lineStart = Shape(rawValue: 32)
        /// Its first letter (after leading whitespace) is a lowercase ASCII letter.
        static let lowercaseStart = Shape(rawValue: 64)
        /// Nothing but whitespace.
        static let blank = Shape(rawValue: 128)
        /// Starts with . ! or ?: after an opening bracket it ends no sentence ("[!" "SHARED]").
        static let punctuationFirst = Shape(rawValue: 256)
        /// Ends with an opening bracket.
        static let bracketLast = Shape(rawValue: 512)
        /// Its last character is a letter, a digit or a mark (`endsInWord`).
        static let wordLast = Shape(rawValue: 1024)
        /// Its first character is a letter, a digit or a mark (`startsInWord`).
        static let wordFirst = Shape(rawValue: 2048)
    }
    /// Each id's join flags (`JoinedPairs.flags`), learned with the shape. Kept apart: they
    /// are the routing tier's flags.
    private let joinFlagBytes: UnsafeMutablePointer<UInt8>

    let tokenizer: Tokenizer?
    /// One shape per id, computed on first use (raw memory: this is read for every token of
    /// every passage, where an array's exclusivity checks cost more than the lookup).
    private let shapes: UnsafeMutablePointer<Shape>
    private let count: Int

    /// Without a tokenizer every token is a word of its own and nothing ends a sentence, so
    /// extents fall back to their caps.
    init(tokenizer: Tokenizer?, vocabularySize: Int) {
        self.tokenizer = tokenizer
        count = vocabularySize + 1
        shapes = .allocate(capacity: count)
        shapes.initialize(repeating: [], count: count)
        joinFlagBytes = .allocate(capacity: count)
        joinFlagBytes.initialize(repeating: 0, count: count)
    }

    /// An empty cache over the same tokenizer, for another thread.
    func fresh() -> TokenShapes { TokenShapes(tokenizer: tokenizer, vocabularySize: count - 1) }

    deinit {
        shapes.deallocate()
        joinFlagBytes.deallocate()
    }

    @inline(__always)
    private func shape(_ id: UInt32) -> Shape {
        let i = Int(min(id, UInt32(count - 1)))
        let cached = shapes[i]
        if cached.contains(.known) { return cached }
        return learn(id, at: i)
    }

    private func learn(_ id: UInt32, at i: Int) -> Shape {
        var s: Shape = .known
        if let bytes = tokenizer?.ranks.bytes(ofRank: id), let first = bytes.first {
            if first == 0x20 || first == 0x0A || first == 0x09 || first == 0x0D { s.insert(.wordStart) }
            joinFlagBytes[i] = JoinedPairs.flags(ofTokenBytes: bytes)
            if Self.isWordCharacter(lastOf: bytes) { s.insert(.wordLast) }
            if Self.isWordCharacter(firstOf: bytes) { s.insert(.wordFirst) }
            if first == 0x0A || (first == 0x0D && bytes.count > 1 && bytes[1] == 0x0A) { s.insert(.lineStart) }
            if let letter = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }),
               ASCIICase.isLowercase(letter) { s.insert(.lowercaseStart) }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { s.insert(.blank) }
            let newlines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            if newlines > 0 { s.insert(.newline) }
            if newlines > 1 { s.insert(.paragraph) }
            // Sentence-final punctuation, possibly followed by whitespace, closing quotes or brackets.
            var j = bytes.count - 1
            while j > 0 && [0x20, 0x0A, 0x0D, 0x09, 0x22, 0x27, 0x29, 0x5D].contains(bytes[j]) { j -= 1 }
            if Self.isSentencePunctuation(bytes[j]) && (j == 0 || !Self.isOpeningBracket(bytes[j - 1])) { s.insert(.sentenceEnd) }
            if Self.isSentencePunctuation(first) { s.insert(.punctuationFirst) }
            if Self.isOpeningBracket(bytes[bytes.count - 1]) { s.insert(.bracketLast) }
        } else if tokenizer == nil {
            s.insert(.wordStart)
        }
        shapes[i] = s
        return s
    }

    /// Whether the token holds a letter or a digit (any byte of a multi-byte character
    /// counts as a letter): punctuation and whitespace do not.
    func isContent(_ id: UInt32) -> Bool {
        guard let bytes = tokenizer?.ranks.bytes(ofRank: id) else { return true }
        return bytes.contains(where: JoinedPairs.isWordByte)
    }

    /// The token's text in lowercase without its leading space when it is a short run of
    /// ASCII letters or a lone "?" (" What" is "what"); nil otherwise. For the few English
    /// words that ask (`QuestionTerms.askingWords`).
    func asciiWord(_ id: UInt32) -> String? {
        guard var bytes = tokenizer?.ranks.bytes(ofRank: id)?[...] else { return nil }
        if bytes.first == 0x20 { bytes = bytes.dropFirst() }
        guard bytes.elementsEqual([0x3F]) || (!bytes.isEmpty && bytes.count <= 12
            && bytes.allSatisfy(ASCIICase.isLetter)) else { return nil }
        return String(decoding: bytes.map { $0 == 0x3F ? $0 : $0 | 0x20 }, as: UTF8.self)
    }

    /// Whether the token is "_" and a letter or a digit after it ("_CREATE"): it goes on an
    /// identifier (a word for weighing, `QuestionTerms`), where "-l" starts a compound's word.
    func continuesIdentifier(_ id: UInt32) -> Bool {
        guard let bytes = tokenizer?.ranks.bytes(ofRank: id), bytes.count >= 2 else { return false }
        return bytes[0] == 0x5F && JoinedPairs.isWordByte(bytes[1])
    }

    /// The token's join flags (`JoinedPairs.flags`; none without a tokenizer).
    @inline(__always)
    func joinFlags(_ id: UInt32) -> UInt8 {
        let i = Int(min(id, UInt32(count - 1)))
        _ = shape(id)
        return joinFlagBytes[i]
    }

    /// The token and its other single-token spellings: with and without a leading space,
    /// first letter in either case, and for a word's first token after a tab too (the split
    /// pattern glues a tab to the letters after it: "\tSet" of a tab-indented line is one
    /// token, where " Set" stands after a space).
    func spellings(of id: UInt32) -> [UInt32] {
        guard let tokenizer, let bytes = tokenizer.ranks.bytes(ofRank: id), !bytes.isEmpty else { return [id] }
        var core = Array(bytes)
        let startsWord = core.first == 0x20 || core.first == 0x09
        if startsWord { core.removeFirst() }
        guard let first = core.first, ASCIICase.isLetter(first) else { return [id] }
        var forms = [id]
        for lead in startsWord ? [0x20, nil, 0x09] : [0x20, nil] as [UInt8?] {
            for flip in [false, true] {
                var b = core
                if flip { b[0] ^= 0x20 }
                if let lead { b.insert(lead, at: 0) }
                if let r = b.withUnsafeBytes({ tokenizer.ranks.rank(of: $0) }), !forms.contains(r) { forms.append(r) }
            }
        }
        return forms
    }

    /// The single-token inflected forms of a word token (`Inflections`), each with its
    /// spellings, none of the token's own: " interrupts" gives " interrupt", "Interrupt", ...
    /// A form the tokenizer splits in pieces is left out.
    func inflections(of id: UInt32) -> [UInt32] {
        guard let tokenizer, let bytes = tokenizer.ranks.bytes(ofRank: id) else { return [] }
        var core = Array(bytes)
        let spaced = core.first == 0x20
        if spaced { core.removeFirst() }
        guard let first = core.first else { return [] }
        let capital = ASCIICase.isUppercase(first)
        if capital { core[0] |= 0x20 }
        let own = Set(spellings(of: id))
        var found: [UInt32] = []
        for var form in Inflections.of(core) {
            if capital { form[0] ^= 0x20 }
            if spaced { form.insert(0x20, at: 0) }
            guard let r = form.withUnsafeBytes({ tokenizer.ranks.rank(of: $0) }) else { continue }
            for s in spellings(of: r) where !own.contains(s) && !found.contains(s) { found.append(s) }
        }
        return found
    }

    /// The regular inflected forms (`Inflections`) of a word (`word`, its tokens, the first
    /// led by a space) of letters only, each tokenized after a space, its first letter's case
    /// kept: " Televisions" (" Tele" "visions") gives " Television"; not the word's own tokens
    /// with more after them. Of a word of one token, only the forms of several: those of one
    /// are its `inflections` (" polynomial" gives " pol" "ynomials", not " polynomials").
    func inflectedForms(ofWord word: ArraySlice<UInt32>) -> [[UInt32]] {
        guard !word.isEmpty, let tokenizer, let (bytes, _) = wordBytes(word), bytes.first == 0x20 else { return [] }
        var core = Array(bytes.dropFirst())
        guard let first = core.first, core.allSatisfy(ASCIICase.isLetter),
              core.dropFirst().allSatisfy(ASCIICase.isLowercase) else { return [] }
        let capital = ASCIICase.isUppercase(first)
        core[0] |= 0x20
        var found: [[UInt32]] = []
        for var form in Inflections.of(core) {
            if capital { form[0] &= ~0x20 }
            var ids: [UInt32] = []
            guard (try? ([0x20] + form).withUnsafeBytes({ try tokenizer.encodeOrdinary($0, into: &ids) })) != nil,
                  !ids.isEmpty, ids.count >= 2 || word.count >= 2, !ids.starts(with: word), !found.contains(ids) else { continue }
            // (The word's own tokens and a suffix after them, " cath" "ed" "r" "als" "es", are
            // met by the word's pieces already, or never.)
            found.append(ids)
        }
        return found
    }

    /// A question word's bytes (its tokens', the first led by a space) and where each token
    /// ends in them; nil past 16 tokens or for an id without bytes.
    func wordBytes(_ word: ArraySlice<UInt32>) -> (bytes: [UInt8], ends: [Int])? {
        guard let tokenizer, !word.isEmpty, word.count <= 16 else { return nil }
        var bytes: [UInt8] = [], ends: [Int] = []
        for id in word {
            guard let b = tokenizer.ranks.bytes(ofRank: id) else { return nil }
            bytes += b
            ends.append(bytes.count)
        }
        return (bytes, ends)
    }

    /// For each id of a form of a word whose tokens end at `ends`, the place in the word of
    /// the token holding the id's last byte, the form's first byte standing at byte `from`.
    func covering(_ ids: [UInt32], from: Int, ends: [Int]) -> [Int] {
        var covering: [Int] = [], end = from
        for id in ids {
            end += tokenizer?.ranks.bytes(ofRank: id)?.count ?? 0
            covering.append(ends.firstIndex { $0 >= end } ?? ends.count - 1)
        }
        return covering
    }

    /// How a word of the question (`word`: its tokens, the first led by a space) is tokenized
    /// where no space leads it, at the start of a line or after punctuation ("Grazing, n." is
    /// "G" "raz" "ing" where " Grazing" is " Graz" "ing"; a list's "wrath, anger" is "wr"
    /// "ath"): a plain word as typed and capitalized, another as typed; and glued to each of
    /// `gluingCharacters` (".adjust" "ed" of "tmp.adjusted()"), as typed, where the character
    /// does not split off alone (then the rest is the line-start form). Each form's ids, and
    /// for each id the place in `word` of the token holding its last byte. Forms that are
    /// the word's own pieces (but for the space) are left out: its spellings already match
    /// them. (Which words get forms at all is the question's choice: `QuestionTerms`.)
    func lineStartForms(ofWord word: ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])] {
        guard let tokenizer, let (bytes, ends) = wordBytes(word) else { return [] }
        guard bytes.count > 1, bytes[0] == 0x20, ASCIICase.isLetter(bytes[1]) else { return [] }
        // A plain word (lowercase, or capitalized) starts a line of prose capitalized, and a
        // list's line as typed; another only as typed ("sV" of "SV" is no word).
        let plain = !bytes.dropFirst(2).contains(where: ASCIICase.isUppercase)
        let typed = Array(bytes.dropFirst())
        var cores = [typed]
        if plain && typed[0] & 0x20 != 0 { cores.append([typed[0] & ~0x20] + typed.dropFirst()) }
        var forms: [(ids: [UInt32], covering: [Int])] = []
        /// The form of `core` (the word's bytes after the space, or a glued character in the
        /// space's place), when its tokens are not the word's own pieces.
        func add(_ core: [UInt8], glued: Bool) {
            var ids: [UInt32] = []
            guard (try? core.withUnsafeBytes({ try tokenizer.encodeOrdinary($0, into: &ids) })) != nil, !ids.isEmpty else { return }
            // Byte offsets in `bytes`: the space is byte 0, and a glued character stands there.
            let covering = self.covering(ids, from: glued ? 0 : 1, ends: ends)
            let ownPieces = ids.count == word.count
                && zip(ids.dropFirst(), word.dropFirst()).allSatisfy { $0 == $1 }
                && spellings(of: word.first!).contains(ids[0])
            // A character split off its own leaves the word as it stands at a line start.
            let splitOff = glued && splitsOffAlone(ids)
            if !ownPieces && !splitOff && !forms.contains(where: { $0.ids == ids }) { forms.append((ids, covering)) }
        }
        for core in cores { add(core, glued: false) }
        for c in Self.gluingCharacters { add([c] + typed, glued: true) }
        return forms
    }

    /// Whether a form glued to a character opens with the character alone ("$" "T" "ARG" of
    /// "$TARG"): then it is no glued form, and the rest is the word's line-start form.
    func splitsOffAlone(_ ids: [UInt32]) -> Bool {
        tokenizer?.ranks.bytes(ofRank: ids[0]).map { $0.count == 1 } ?? true
    }

    /// Characters that the split pattern glues to the letters after them ("tmp.adjusted()"
    /// is "tmp" ".adjust" "ed" "()", "(tmp" one token, "quote_types" "quote" "_types"), so a
    /// word after one is none of its own spellings: code, paths, quotes and brackets. Not
    /// "-": "amber-sable-lagoon-prime" must not hold the key "sable-lagoon-prime".
    static let gluingCharacters: [UInt8] = Array("._(/'\"[@#:=<*`$\\{&+~|%".utf8)

    private static func isSentencePunctuation(_ b: UInt8) -> Bool { b == 0x2E || b == 0x21 || b == 0x3F }
    private static func isOpeningBracket(_ b: UInt8) -> Bool { b == 0x28 || b == 0x5B || b == 0x7B }

    /// Whether the token is whitespace only (a passage does not begin or end with one).
    func isBlank(_ id: UInt32) -> Bool { shape(id).contains(.blank) }

    /// Whether a word begins at this token (it starts with whitespace).
    func startsWord(_ id: UInt32) -> Bool { shape(id).contains(.wordStart) }

    /// Whether the token ends inside a word (its last character a letter or a digit), so a
    /// token after it without leading space continues that word.
    func endsInWord(_ id: UInt32) -> Bool { shape(id).contains(.wordLast) }

    /// Whether the token goes on a word when one ends before it: its first character is a
    /// letter or a digit ("ireland"'s "land"), no space nor punctuation.
    func startsInWord(_ id: UInt32) -> Bool { shape(id).contains(.wordFirst) }

    /// Whether the last character of a token's bytes is a letter, a digit or a mark. Unlike
    /// `JoinedPairs.isWordByte` (the routing tier's rule, which the build and old indexes
    /// share) a whole character beyond ASCII is decoded: French typography's no-break space
    /// ("«\u{A0}Paramètres\u{A0}»" is "«" "\u{A0}" "Param" "ètres"), "»" and "’" end no word.
    /// A character the token's end cuts counts as a letter.
    static func isWordCharacter(lastOf bytes: UnsafeRawBufferPointer) -> Bool {
        guard let last = bytes.last else { return false }
        guard last >= 0x80 else { return JoinedPairs.isWordByte(last) }
        var start = bytes.count - 1
        while start > 0 && bytes[start] & 0xC0 == 0x80 && bytes.count - start < 4 { start -= 1 }
        return isWordCharacter(UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }

    /// The same for the first character of a token's bytes.
    static func isWordCharacter(firstOf bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        guard first >= 0x80 else { return JoinedPairs.isWordByte(first) }
        let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
        return isWordCharacter(UnsafeRawBufferPointer(rebasing: bytes[0..<min(length, bytes.count)]))
    }

    /// Whether `bytes` are one whole character that is a letter, a digit or a mark, or not
    /// one whole character (a piece of one, which counts as a letter).
    private static func isWordCharacter(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let lead = bytes[0]
        let length = lead >= 0xF8 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : lead >= 0x80 ? 0 : 1
        guard length == bytes.count, let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first,
              scalar != "\u{FFFD}" || bytes.elementsEqual([0xEF, 0xBF, 0xBD]) else { return true }
        let p = scalar.properties
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber: return true
        default: return p.isAlphabetic
        }
    }

    /// Whether `id` holds a blank line: a passage never reaches across it.
    func endsParagraph(_ id: UInt32) -> Bool { shape(id).contains(.paragraph) }

    /// Whether `id` holds a line break.
    func breaksLine(_ id: UInt32) -> Bool { shape(id).contains(.newline) }

    /// Whether a passage ends after `id` when `next` follows it (nil: unknown): at the end
    /// of a sentence or of a paragraph (a blank line). A sentence ends at . ! or ? followed
    /// by a line break, or by a word that does not start in lowercase: "3.14", "example.com",
    /// "i.e. the" and "Corp. grew" end nothing. A single line break inside wrapped prose
    /// ends nothing either.
    /// Punctuation after an opening bracket ends nothing: "[! SHARED]" and "(!ptr)" negate
    /// (`previous`, nil: unknown, is the token before `id`, which may hold the bracket).
    @inline(__always)
    func endsPassage(_ id: UInt32, previous: UInt32?, next: UInt32?) -> Bool {
        let s = shape(id)
        if s.contains(.paragraph) { return true }
        let n = next.map(shape)
        if s.contains(.newline) && n?.contains(.lineStart) ?? true { return true }
        guard s.contains(.sentenceEnd) else { return false }
        if let previous, s.contains(.punctuationFirst) && shape(previous).contains(.bracketLast) { return false }
        if s.contains(.newline) { return true }
        guard let n else { return true }
        return n.contains(.wordStart) && !n.contains(.lowercaseStart)
    }
}
