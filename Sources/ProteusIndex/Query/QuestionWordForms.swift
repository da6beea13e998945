/// The other forms of a question's words, and where the text holds one: a word at a line
/// start or glued to a character ("Grazing" opening a line is "G" "raz" "ing"), in the other
/// case of its letters ("NUMA" for "numa"), inflected; an id found only in such a form
/// credits the question's word where the whole form stands.
extension QuestionTerms {
    /// The line-start forms of the question's words (those a space leads) whose every id the
    /// corpus holds, and the words in their other case (`Lexicon.caseForms`), each with its
    /// word's range in `tokens`, and whether it is a guess (`Lexicon.mixedCaseForms`).
    static func wordForms(_ tokens: [UInt32], flags: [UInt8], lexicon: Lexicon)
        -> [(range: Range<Int>, form: (ids: [UInt32], covering: [Int]), isCase: Bool, guessed: Bool)] {
        var found: [(range: Range<Int>, form: (ids: [UInt32], covering: [Int]), isCase: Bool, guessed: Bool)] = []
        guard !tokens.isEmpty else { return found }
        var start = 0
        for end in tokens.indices.dropFirst() + [tokens.count] {
            if end < tokens.count && joinsPrevious(flags, at: end) { continue }
            defer { start = end }
            guard lexicon.startsWord(tokens[start]) else { continue }
            // Every form of a rare word, and of a middling one: its pieces (" mice" opens a line
            // as "M" "ice") raise only the bounds of the windows whose pair filters may hold
            // them joined, and a form of one token ("<len" of Perl's "C<len>") only of those
            // holding it. A piece that is one of the word's inflections ("count" of " counted"
            // opening a line as "count" "ed") still counts as the inflection where it stands
            // alone ("*count*": `PassageScorer.inflectionOutsideItsForm`). A word in most
            // windows raises none, and keeps its line-start forms, not its glued ones ("(the"
            // is one token, in code everywhere).
            let rare = end - start >= 2 || lexicon.isRare(tokens[start])
            let everywhere = !rare && lexicon.routesEverywhere(tokens[start])
            for form in lexicon.lineStartForms(tokens[start..<end])
            where form.ids.allSatisfy(lexicon.occurs) && !(everywhere && opensWithGluingCharacter(form.ids, lexicon)) {
                found.append((start..<end, form, false, false))
            }
            // The word in the other case ("NUMA" for "numa", " CONNECT" of a proxy's method
            // for " connect", " CLAIM" of a licence's capitals for " claim"), after a space or
            // at a line start, however common: a form of several tokens raises only the bounds
            // of the windows whose pair filters may hold it, and keeping a middling word's form
            // only where a piece was rare lost licences' capitals and read no fewer windows. Glued
            // to a character too ("C<TARG>" for "targ"), but for a word in most windows.
            for form in lexicon.caseForms(tokens[start..<end]) where form.ids.allSatisfy(lexicon.occurs)
                && !(everywhere && opensWithGluingCharacter(form.ids, lexicon)) {
                found.append((start..<end, form, true, false))
            }
            // In mixed case ("KiCad" for "kicad"), where a piece of the form is rare and neither
            // the word nor its other forms hold it (" Gnu" of " Gnu" "Cash"): a guessed capital
            // mostly gives common pieces, which would raise the bound of every window, or a rare
            // piece the word's forms look for already, and only raised windows' bounds. The word
            // itself may be common.
            let own = Set(tokens[start..<end].flatMap(lexicon.spellings) + found.filter { $0.range == start..<end }.flatMap(\.form.ids))
            for form in lexicon.mixedCaseForms(tokens[start..<end])
            where form.ids.allSatisfy(lexicon.occurs)
                && form.ids.contains(where: { !own.contains($0) && lexicon.isRare($0) }) {
                found.append((start..<end, form, true, true))
            }
        }
        return found
    }

    /// The slot the form-only id at `i` of `buffer` credits where one of its forms stands
    /// there as a whole word: at a word start (`endsInWord` of the token before) and not
    /// going on after it (`startsInWord` of the token after: "Ire" of "Ireland" is no "ire").
    /// -1 where none does.
    func formSlot(at i: Int, in buffer: UnsafeBufferPointer<UInt32>, endsInWord: (UInt32) -> Bool,
                  startsInWord: (UInt32) -> Bool) -> Int {
        formMatch(at: i, in: buffer, endsInWord: endsInWord, startsInWord: startsInWord)?.slot ?? -1
    }

    /// `formSlot`'s slot, nil where it is -1, and whether the form stands inside another
    /// identifier: it opens with "_" after a word's letter or digit ("STO_PPC64_LOCALENTRY"
    /// for "localentry"), where it earns `PassageScorer.otherWordShare`.
    func formMatch(at i: Int, in buffer: UnsafeBufferPointer<UInt32>, endsInWord: (UInt32) -> Bool,
                   startsInWord: (UInt32) -> Bool) -> (slot: Int, insideIdentifier: Bool)? {
        guard let (f, position) = matchedForm(at: i, in: buffer, endsInWord: endsInWord, startsInWord: startsInWord) else { return nil }
        return (lineStartForms[f].slots[position], formContinuesIdentifier[f] && i - position > 0 && endsInWord(buffer[i - position - 1]))
    }

    /// The form the form-only id at `i` stands in (`formSlot`), and its place in it.
    private func matchedForm(at i: Int, in buffer: UnsafeBufferPointer<UInt32>, endsInWord: (UInt32) -> Bool,
                             startsInWord: (UInt32) -> Bool) -> (form: Int, position: Int)? {
        guard let places = formPlaces[buffer[i]] else { return nil }
        for (f, position) in places {
            let ids = lineStartForms[f].ids, first = i - position, after = first + ids.count
            // A glued form's own first character bounds the word before it ("tmp" ".adjust").
            guard first >= 0, after <= buffer.count, first == 0 || formIsGlued[f] || !endsInWord(buffer[first - 1]),
                  after == buffer.count || !startsInWord(buffer[after]) else { continue }
            if ids.indices.allSatisfy({ buffer[first + $0] == ids[$0] }) { return (f, position) }
        }
        return nil
    }

    /// Every form-only id with the heaviest slot it may credit.
    var formOnlyIDs: [(id: UInt32, slot: Int)] {
        formPlaces.keys.sorted().map { id in
            (id, formPlaces[id]!.map { lineStartForms[$0.form].slots[$0.position] }.max { weights[$0] < weights[$1] }!)
        }
    }
}
