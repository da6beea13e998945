import Foundation
@testable import ProteusIndex

/// Essay-like token streams for the build tests: the Paul Graham essays in fixtures/essays,
/// split into words and mapped to ids in first-seen order (a stand-in for the real tokenizer:
/// all the build needs is a consistent word → id map).
enum BuildTestCorpus {
    static let essaysFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/essays")

    /// Word → id map and the essays as ids, computed once per test process.
    nonisolated(unsafe) static var vocabulary: [String: UInt32] = [:]
    static let essays: [UInt32] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: essaysFolder.path)) ?? []
        var ids: [UInt32] = []
        for name in names.sorted() where name.hasSuffix(".txt") {
            let text = (try? String(contentsOf: essaysFolder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            ids += tokenize(text)
        }
        return ids
    }()

    static func tokenize(_ text: String) -> [UInt32] {
        var ids: [UInt32] = []
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            if let id = vocabulary[word] { ids.append(id) } else {
                let id = UInt32(vocabulary.count)
                vocabulary[word] = id
                ids.append(id)
            }
            word = ""
        }
        for ch in text {
            if ch.isLetter || ch.isNumber || ch == "'" { word.append(ch) } else {
                flush()
                if !ch.isWhitespace { word = String(ch); flush() }
            }
        }
        flush()
        return ids
    }

    /// The essays repeated until `count` tokens.
    static func haystack(_ count: Int) -> [UInt32] {
        let e = essays
        precondition(!e.isEmpty, "fixtures/essays is missing")
        var out = [UInt32](); out.reserveCapacity(count)
        while out.count < count { out += e.prefix(count - out.count) }
        return out
    }

    /// The needle sentence's ids: words absent from the essays get fresh ids, as a real
    /// tokenizer would give them tokens the haystack rarely or never uses.
    static let needle: [UInt32] = {
        _ = essays
        return tokenize("The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.")
    }()

    /// A second, different clue for the jigsaw test.
    static let secondClue: [UInt32] = {
        _ = essays
        return tokenize("One of the special magic numbers for zephyrine-quokka is: 8675309.")
    }()

    /// `tokens` with `insert` written over it at `position`.
    static func inserting(_ insert: [UInt32], into tokens: [UInt32], at position: Int) -> [UInt32] {
        var out = tokens
        out.replaceSubrange(position..<(position + insert.count), with: insert)
        return out
    }
}

extension HeroIndexContents {
    /// Absolute position of every hero token, in hero order.
    var heroPositions: [UInt64] {
        spans.flatMap { s in (0..<UInt64(s.length)).map { s.start + $0 } }
    }

    /// The hero token at absolute position `p`, if `p` is a hero.
    func hero(at p: UInt64) -> UInt32? {
        for s in spans where p >= s.start && p < s.start + UInt64(s.length) {
            return tokens[Int(s.firstHero) + Int(p - s.start)]
        }
        return nil
    }

    /// True when every token of `ids` is a hero at `position + i`.
    func retains(_ ids: [UInt32], at position: Int) -> Bool {
        ids.enumerated().allSatisfy { hero(at: UInt64(position + $0.offset)) == $0.element }
    }
}

/// Parameters that keep debug-build tests fast: smaller feature vectors.
func fastParameters() -> BuildParameters {
    var p = BuildParameters()
    p.featureDimension = 16
    return p
}

extension BuildTestCorpus {
    /// Offsets of `needle` that the design promises to keep: each word the haystack never
    /// uses is a champion of its chunk and keeps `span` neighbours on each side, `2 * span`
    /// when another such word lies within `span` (a cluster).
    static func promisedOffsets(of needle: [UInt32], in haystack: [UInt32], span: Int) -> [Int] {
        let known = Set(haystack)
        let rare = needle.indices.filter { !known.contains(needle[$0]) }
        var offsets = Set<Int>()
        for i in rare {
            let reach = rare.contains { $0 != i && abs($0 - i) <= span } ? 2 * span : span
            for j in max(0, i - reach)...min(needle.count - 1, i + reach) { offsets.insert(j) }
        }
        return offsets.sorted()
    }
}

extension HeroIndexContents {
    func retains(_ ids: [UInt32], at position: Int, offsets: [Int]) -> Bool {
        offsets.allSatisfy { hero(at: UInt64(position + $0)) == ids[$0] }
    }
}
