import ArgumentParser
import Foundation
import ProteusIndex

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer questions from an index: ranked hero spans with exact positions and text.",
        discussion: "Questions come from the argument, from --questions FILE, or one per line on standard input. "
            + "--emit writes the context a model should see (heroes in position order, then the question) as "
            + ".safetensors, .npy or .json, with position ids under --positions.")

    @Argument(help: "The .phb index.")
    var index: String

    @Argument(help: "The question (omit to read questions from --questions or standard input).")
    var question: String?

    @Option(help: "Number of spans to return per question.")
    var top: Int = 5

    @Flag(help: "One JSON object per question, one per line.")
    var json = false

    @Option(help: "Widen each span by N tokens on both sides, read from the corpus.")
    var context: Int = 0

    @Option(help: "The corpus the index was built from (default: the recorded path, if unchanged). Repeat for several inputs.")
    var corpus: [String] = []

    @Option(help: "A file of questions, one per line.")
    var questions: String?

    @Option(help: ArgumentHelp("The question as token ids (comma-separated), for indexes built without a tokenizer.", valueName: "ids"))
    var queryIds: String?

    @OptionGroup var tokenizer: TokenizerArgument

    @Option(help: ArgumentHelp("Stream this corpus again with gates seeded by the question and answer from a fresh buffer.", valueName: "corpus"))
    var rescan: String?

    @Option(help: ArgumentHelp("Write an LLM-ready pack (.safetensors, .npy or .json).", valueName: "path"))
    var emit: String?

    @Option(help: "Hero tokens in the pack at most (best spans kept when cutting).")
    var maxTokens: Int = 4_096

    @Option(help: "Position ids in the pack: original, contiguous or scaled:MAX.")
    var positions: String = "original"

    @OptionGroup var input: InputArguments

    func validate() throws {
        if top <= 0 { throw ValidationError("'--top' must be at least 1") }
        if context < 0 { throw ValidationError("'--context' must not be negative") }
        if maxTokens <= 0 { throw ValidationError("'--max-tokens' must be at least 1") }
        if question != nil && questions != nil { throw ValidationError("give the question as an argument or with '--questions', not both") }
        if queryIds != nil && (questions != nil) { throw ValidationError("'--query-ids' takes one question; it cannot be combined with '--questions'") }
        if emit != nil && question == nil && queryIds == nil {
            throw ValidationError("'--emit' writes the pack of one question: give the question as an argument")
        }
    }

    func run() throws {
        try reportingFailures {
            let positionMode = try PositionMode(parsing: positions)
            if let emit {
                // Refused before any answer is printed, not after.
                _ = try PackWriter.Format(path: emit)
                try OutputDestination.check(emit)
            }
            let engine = try QueryEngine(path: index, tokenizer: try tokenizer.load())
            let asked = try collectQuestions()
            let widener = context > 0
                ? ContextWidener(engine: engine, context: context, explicitCorpus: corpus, options: try input.options()) : nil
            if let warning = widener?.warning { printError("proteus-index: warning: \(warning)") }
            let printer = AnswerPrinter(json: json)
            let session = try rescan.map { try RescanSession(corpus: [$0], engine: engine, input: try input.options(), threads: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
            for (text, ids) in asked {
                let tokens = try ids ?? engine.tokenize(text)
                let answer: QueryAnswer
                let heroesForPack: HeroView
                if let session {
                    answer = try session.answer(question: text, tokens: tokens, top: top)
                    heroesForPack = session.heroes
                } else {
                    answer = try engine.answer(question: text, tokens: tokens, top: top)
                    heroesForPack = engine.heroes
                }
                let contexts = try widener?.widen(answer.results) ?? []
                printer.print(answer, contexts: contexts)
                if let emit {
                    let ranked = session?.rankAll(tokens: tokens) ?? engine.rankAll(tokens: tokens)
                    let pack = try ContextPack(ranked: ranked, heroes: heroesForPack, question: tokens,
                                               corpusTokens: engine.corpusTokens, maxTokens: maxTokens, positions: positionMode)
                    try PackWriter.write(pack, to: emit)
                }
            }
        }
    }

    /// (question text, token ids when given as ids)
    private func collectQuestions() throws -> [(String, [UInt32]?)] {
        if let queryIds {
            let parts = queryIds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let ids = try parts.map { p -> UInt32 in
                guard let v = UInt32(p) else { throw ProteusError(.usage, "'--query-ids' must be comma-separated token ids, not '\(p)'") }
                return v
            }
            guard !ids.isEmpty else { throw ProteusError(.usage, "the question is empty") }
            return [(question ?? queryIds, ids)]
        }
        if let question { return [(question, nil)] }
        let lines: [String]
        if let questions {
            lines = try TextLines.read(path: questions)
        } else {
            lines = TextLines.readStandardInput()
        }
        let asked = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { ($0, nil as [UInt32]?) }
        guard !asked.isEmpty else { throw ProteusError(.usage, path: questions ?? "-", "holds no questions") }
        return asked
    }
}
