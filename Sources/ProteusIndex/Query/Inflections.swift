/// The inflected forms of an English word, by the regular suffix rules alone: a person asks
/// "how are interrupts handled" of a text that says "interrupt handling". No dictionary:
/// every form is a guess that counts only where the tokenizer spells it as one token and
/// the corpus holds it (`TokenShapes.inflections`), and it earns a share of the word's weight
/// (`QuestionTerms.inflectionShare`), so the word as asked always ranks first.
enum Inflections {
    /// Shortest word that is inflected, and shortest stem a suffix leaves ("used" is not "us").
    static let shortestWord = 4
    static let shortestStem = 3

    /// The other regular forms of `word` (lowercase ASCII letters): its plural or third person,
    /// past and present participles, and back from any of them to the stem and its other
    /// forms ("handled": "handle", "handles", "handling"; "queries": "query", "queried").
    static func of(_ word: [UInt8]) -> [[UInt8]] {
        guard word.count >= shortestWord, word.allSatisfy(ASCIICase.isLowercase) else { return [] }
        var forms: [[UInt8]] = []
        func add(_ form: [UInt8]) {
            if form != word, form.count >= shortestStem, !forms.contains(form) { forms.append(form) }
        }
        for stem in stems(of: word) {
            add(stem)
            for form in formsOf(stem: stem) { add(form) }
        }
        return forms
    }

    /// The stems `word` may be a form of, itself first.
    static func stems(of word: [UInt8]) -> [[UInt8]] {
        var stems = [word]
        func strip(_ suffix: String, add tail: String = "") {
            let s = Array(suffix.utf8)
            guard word.count >= s.count + shortestStem, word.suffix(s.count).elementsEqual(s) else { return }
            let stem = Array(word.dropLast(s.count)) + Array(tail.utf8)
            if !stems.contains(stem) { stems.append(stem) }
        }
        if word.last == 0x73 && !endsIn(word, "ss") && !endsIn(word, "us") && !endsIn(word, "is") {  // "s"
            strip("ies", add: "y")
            for sibilant in ["sses", "xes", "ches", "shes", "zes"] where endsIn(word, sibilant) { strip("es") }
            if !endsIn(word, "ies") { strip("s") }
        }
        if endsIn(word, "ied") { strip("ied", add: "y") } else if endsIn(word, "ed") {
            strip("ed")
            strip("d")  // "handled": "handle"
            if hasDoubledEnd(word.dropLast(2)) { stems.append(Array(word.dropLast(3))) }  // "stopped"
        }
        if endsIn(word, "ing") {
            strip("ing")
            strip("ing", add: "e")  // "handling": "handle"
            if hasDoubledEnd(word.dropLast(3)) { stems.append(Array(word.dropLast(4))) }  // "running"
        }
        return stems.filter { $0.count >= shortestStem }
    }

    /// The regular forms of a stem: -s or -es or -ies, -ed or -d or -ied, -ing.
    static func formsOf(stem: [UInt8]) -> [[UInt8]] {
        guard let last = stem.last else { return [] }
        let consonantY = last == 0x79 && stem.count >= 2 && !isVowel(stem[stem.count - 2])
        let sibilant = last == 0x73 || last == 0x78 || last == 0x7A || endsIn(stem, "ch") || endsIn(stem, "sh")
        let base = Array(stem.dropLast())
        var forms: [[UInt8]] = []
        forms.append(consonantY ? base + Array("ies".utf8) : stem + Array((sibilant ? "es" : "s").utf8))
        forms.append(consonantY ? base + Array("ied".utf8) : last == 0x65 ? stem + [0x64] : stem + Array("ed".utf8))
        forms.append(last == 0x65 && !endsIn(stem, "ee") ? base + Array("ing".utf8) : stem + Array("ing".utf8))
        return forms
    }

    private static func endsIn<C: Collection>(_ word: C, _ suffix: String) -> Bool where C.Element == UInt8 {
        let s = Array(suffix.utf8)
        return word.count >= s.count && word.suffix(s.count).elementsEqual(s)
    }

    private static func isVowel(_ b: UInt8) -> Bool { "aeiou".utf8.contains(b) }

    /// Whether a stem ends in a doubled consonant ("stopp" of "stopped"), not "ll" or "ss",
    /// which stems keep ("called", "passed").
    private static func hasDoubledEnd<C: BidirectionalCollection>(_ stem: C) -> Bool where C.Element == UInt8 {
        guard stem.count >= shortestStem + 1, let last = stem.last else { return false }
        let before = stem[stem.index(stem.endIndex, offsetBy: -2)]
        return last == before && !isVowel(last) && last != 0x6C && last != 0x73 && last != 0x7A
    }
}
