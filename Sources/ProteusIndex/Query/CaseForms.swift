/// A question's words in the other case of their letters, as a person types them: "numa" for
/// the text's "NUMA", "KASAN" for its "kasan", an identifier's parts each way ("ret_ERRVAL"),
/// a name in mixed case ("KiCad"), an acronym's plural ("APIs"). Each form tokenized afresh
/// after a space and at a line start, with the question tokens it credits
/// (`QuestionTerms.wordForms` chooses which count).
extension TokenShapes {
    /// Letters of the words whose other case is looked for (`caseForms`): a word in capitals
    /// ("KASAN", "SIGTERM") in lowercase up to 12 letters (a longer word's capitals are a
    /// heading's), and a word with a lowercase letter in capitals from 3, as an acronym, a
    /// keyword, a constant or a licence writes it ("numa" as "NUMA", "enumerated" as
    /// "ENUMERATED", "disclaimed" as "DISCLAIMED"). An identifier (with a "_":
    /// "kvm_max_vcpu_ids" of "KVM_MAX_VCPU_IDS") goes either way up to `identifierBytes`.
    static let lowercasedLetters = 3...12
    static let fewestCapitalizedLetters = 3
    static let identifierBytes = 48
    /// Letters of a lowercase word ending in "s" also looked for as an acronym's plural, its
    /// capitals and the "s" ("apis" as "APIs", "urls" as "URLs", "ids" as "IDs").
    static let pluralAcronymLetters = 3...7

    /// `typed` (lowercase letters ending in "s") as an acronym's plural, else nil.
    static func pluralAcronym<C: BidirectionalCollection>(of typed: C) -> [UInt8]? where C.Element == UInt8 {
        guard pluralAcronymLetters.contains(typed.count), typed.allSatisfy(ASCIICase.isLowercase), typed.last == 0x73 else { return nil }
        return ASCIICase.uppercased(typed.dropLast()) + [0x73]
    }

    /// A byte of a word or an identifier whose case is looked for: an ASCII letter, a digit, "_",
    /// and "-" inside a compound ("pa-risc" of "PA-RISC", "msi-x" of "MSI-X").
    private static func isIdentifierByte(_ b: UInt8) -> Bool { ASCIICase.isAlphanumeric(b) || b == 0x5F || b == 0x2D }

    /// Texts holding every form `caseForms`, `mixedCaseForms`, `inflectedForms` and
    /// `inflections` may tokenize for the words of `question`: each run of letters, digits and
    /// "_" in all capitals and all lowercase, a lowercase word in mixed case, and a word of
    /// letters in its regular inflected forms, capitalized too. A query's tokenizer is focused
    /// on them with the question (`RankCoverage`): a form outside its texts built the whole
    /// table, 10 ms of a question's process. A superset is harmless, a miss only slower.
    static func formTexts(ofQuestion question: String) -> [String] {
        var forms: [[UInt8]] = []
        // A compound's other case whole ("PA-RISC"), and its words each as below.
        for run in Array(question.utf8).split(whereSeparator: { !Self.isIdentifierByte($0) })
        where run.count <= identifierBytes && run.contains(0x2D) {
            forms += [ASCIICase.uppercased(run), ASCIICase.lowercased(run)]
        }
        for run in Array(question.utf8).split(whereSeparator: { !Self.isIdentifierByte($0) || $0 == 0x2D }) where run.count <= identifierBytes {
            forms.append(ASCIICase.uppercased(run))
            let lower = ASCIICase.lowercased(run)
            forms.append(lower)
            if let plural = pluralAcronym(of: run) { forms.append(plural) }
            for form in Inflections.of(lower) { forms += [form, [form[0] & ~0x20] + form.dropFirst()] }
            if mixedCaseLetters.contains(run.count) && run.elementsEqual(lower) { forms += mixedCaseSpellings(of: lower) }
        }
        return forms.isEmpty ? [] : [" " + forms.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")]
    }

    /// The word (`word`: its tokens, the first led by a space) in the other case of all its
    /// letters, as a person types an acronym ("numa" of "NUMA", "KASAN" of "kasan"): all
    /// capitals for a word with a lowercase letter, all lowercase for one with two capitals or
    /// more (`lowercasedLetters`). Each after a space, at a line start and glued to a character
    /// (`caseGluingCharacters`: "C<TARG>" for "targ"), tokenized afresh (" numa" is one
    /// token, " NUMA" is " NUM" "A"), with `lineStartForms`' covering. Forms that are the
    /// word's own spellings are left out.
    func caseForms(ofWord word: ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])] {
        guard let (bytes, ends) = wordBytes(word) else { return [] }
        let typed = bytes.dropFirst()
        guard bytes.first == 0x20, let first = typed.first, ASCIICase.isLetter(first), typed.allSatisfy(Self.isIdentifierByte),
              typed.last != 0x2D else { return [] }
        let identifier = typed.contains(0x5F)
        let letters = typed.filter(ASCIICase.isLetter).count, capitals = typed.filter(ASCIICase.isUppercase).count
        // Letters, or letters and digits ("vs2015" of "VS2015", "sha256" of "SHA256"), maybe
        // joined by "-" ("dvb-s" of "DVB-S").
        guard identifier || typed.allSatisfy({ ASCIICase.isAlphanumeric($0) || $0 == 0x2D }) && letters >= 2,
              typed.count <= Self.identifierBytes else { return [] }
        let other: [UInt8] = capitals < letters && (identifier || typed.count >= Self.fewestCapitalizedLetters)
            ? ASCIICase.uppercased(typed) : []
        let lower: [UInt8] = capitals >= 2 && (identifier || Self.lowercasedLetters.contains(typed.count))
            ? ASCIICase.lowercased(typed) : []
        let mixed = identifier && capitals == 0 ? Self.partCaseSpellings(of: Array(typed)) : []
        return forms(spelling: word, as: [other, lower].filter { !$0.isEmpty } + mixed, bytes: bytes, ends: ends, glued: true)
            + pluralAcronymForms(ofWord: word, typed: typed, bytes: bytes, ends: ends)
    }

    /// A lowercase word ending in "s" as an acronym's plural (`pluralAcronym`), where the
    /// tokenizer learned it as one token (" APIs", " URLs") or it is its capitals and then "s"
    /// (" PD" "Us" is no plural; " THI" "s" of "this" would be, but the corpus rarely holds it).
    private func pluralAcronymForms(ofWord word: ArraySlice<UInt32>, typed: ArraySlice<UInt8>, bytes: [UInt8], ends: [Int])
        -> [(ids: [UInt32], covering: [Int])] {
        guard let plural = Self.pluralAcronym(of: typed), let tokenizer else { return [] }
        return forms(spelling: word, as: [plural], bytes: bytes, ends: ends).filter { form in
            form.ids.count == 1 || tokenizer.ranks.bytes(ofRank: form.ids[form.ids.count - 1]).map { $0.elementsEqual([0x73]) } == true
        }
    }

    /// Most parts of an identifier with every mix of cases (`partCaseSpellings`): 2^parts
    /// spellings; and most parts with its first or last parts in capitals.
    static let mixedCaseParts = 3
    static let splitCaseParts = 6

    /// An identifier typed in lowercase with some of its "_" parts in capitals and the others
    /// not, as code mixes them ("ret_ERRVAL", "STRING_ARCH_unaligned" of "ret_errval" and
    /// "string_arch_unaligned"): every such mix, for at most `mixedCaseParts` parts; up to
    /// `splitCaseParts`, its first parts in capitals and the rest not ("SSL_CTX_set_options",
    /// "DER_OID_V_c2pnb163v1"), or its last parts.
    static func partCaseSpellings(of typed: [UInt8]) -> [[UInt8]] {
        let parts = typed.split(separator: 0x5F, omittingEmptySubsequences: false)
        let lettered = parts.indices.filter { parts[$0].contains(where: ASCIICase.isLetter) }
        let n = lettered.count, all = (1 << n) - 1
        guard n >= 2 && n <= splitCaseParts else { return [] }
        let masks = n <= mixedCaseParts ? Array(1..<all) : (1..<n).flatMap { k in [(1 << k) - 1, all ^ ((1 << (n - k)) - 1)] }
        return masks.map { mask in
            var spelled = parts.map(Array.init)
            for (bit, part) in lettered.enumerated() where mask >> bit & 1 == 1 { spelled[part] = ASCIICase.uppercased(spelled[part]) }
            return Array(spelled.joined(separator: [0x5F]))
        }
    }

    /// Letters of a lowercase word looked for in mixed case (`mixedCaseForms`).
    static let mixedCaseLetters = 5...10

    /// A word typed in lowercase letters (`word`: its tokens, the first led by a space) as a
    /// name writes it, capitalized with one more capital inside: "kicad" as "KiCad",
    /// "mccarthy" as "McCarthy", "github" as "GitHub", "xpath" as "XPath", "iiter" as "IIter"
    /// (tantivy lowercases every word and met them; we did not). Tokenized afresh like
    /// `caseForms`, and kept where it is one token or ends in one of three letters or more
    /// that the inner capital opens or that follows it; a form is worth looking for only where
    /// it brings a rare piece (`QuestionTerms.wordForms`).
    func mixedCaseForms(ofWord word: ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])] {
        guard let (bytes, ends) = wordBytes(word), bytes.first == 0x20 else { return [] }
        let typed = Array(bytes.dropFirst())
        guard typed.allSatisfy(ASCIICase.isLowercase), Self.mixedCaseLetters.contains(typed.count), let tokenizer else { return [] }
        // A name the tokenizer learned is one token (" McCarthy", " GitHub"), or ends in a token
        // of three letters or more that its inner capital opens (" Ki" "Cad", " G" "nu" "Cash");
        // a guess that is neither ("Sc" "Rub" "bing", "Pa" "R" "ables") is no name. A letter
        // before a capitalized word ("XPath", "IIter") is one where the tokenizer learned the
        // word capitalized as one token ("Path", "Iter"), however BPE cuts the whole (" II"
        // "ter"): "EXpend" of "expend" is none.
        return Self.mixedCaseSpellings(of: typed).flatMap { spelling in
            forms(spelling: word, as: [spelling], bytes: bytes, ends: ends).filter { form in
                if ASCIICase.isUppercase(spelling[1]) {
                    let rest = Array(spelling.dropFirst())
                    return rest.count >= 3 && rest.withUnsafeBytes { tokenizer.ranks.rank(of: $0) } != nil
                }
                guard form.ids.count > 1 else { return true }
                guard let last = tokenizer.ranks.bytes(ofRank: form.ids[form.ids.count - 1]), let first = last.first else { return false }
                return last.count >= 3 && ASCIICase.isUppercase(first)
            }
        }
    }

    /// `mixedCaseForms`' spellings of a lowercase word: the first letter and one letter from the
    /// second to the last but one capitalized.
    static func mixedCaseSpellings(of typed: [UInt8]) -> [[UInt8]] {
        guard typed.count >= mixedCaseLetters.lowerBound else { return [] }
        return (1...(typed.count - 2)).map { i in
            var w = typed
            w[0] &= ~0x20
            w[i] &= ~0x20
            return w
        }
    }

    /// The characters a word in the other case is looked for glued to: not "_", after which it
    /// is mostly a part of a longer name ("SPKI_WEB" holds no "web").
    static let caseGluingCharacters = TokenShapes.gluingCharacters.filter { $0 != 0x5F }

    /// Each of `cores` (a word's letters in another case) tokenized after a space, at a line
    /// start and (`glued`) after each of `caseGluingCharacters`, with `lineStartForms`' covering
    /// of `word`'s tokens (`bytes`, ending at `ends`); forms that are the word's own spellings
    /// are left out.
    private func forms(spelling word: ArraySlice<UInt32>, as cores: [[UInt8]], bytes: [UInt8], ends: [Int],
                       glued: Bool = false) -> [(ids: [UInt32], covering: [Int])] {
        guard let tokenizer else { return [] }
        var forms: [(ids: [UInt32], covering: [Int])] = []
        for core in cores {
            // Glued as code and markup hold it ("C<TARG>" is " C" "<T" "ARG" ">"), where the
            // character does not split off alone (then the rest is the line-start form).
            let leads: [UInt8?] = [0x20, nil] + (glued ? Self.caseGluingCharacters : [])
            for lead in leads {
                var ids: [UInt32] = []
                let text = lead.map { [$0] + core } ?? core
                guard (try? text.withUnsafeBytes({ try tokenizer.encodeOrdinary($0, into: &ids) })) != nil, !ids.isEmpty else { continue }
                if let lead, lead != 0x20, splitsOffAlone(ids) { continue }
                let covering = self.covering(ids, from: lead == nil ? 1 : 0, ends: ends)
                let own = ids.count == 1 && word.count == 1 && spellings(of: word.first!).contains(ids[0])
                if !own && !forms.contains(where: { $0.ids == ids }) { forms.append((ids, covering)) }
            }
        }
        return forms
    }
}
