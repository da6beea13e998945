import ArgumentParser
import Foundation
import ProteusIndex

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Answer questions: the passages that hold them, with exact positions and text.",
        discussion: "When the corpus is at hand (given with --corpus, or unchanged at the path the index records), "
            + "each question is routed to the corpus windows that hold its rare tokens and answered from the exact "
            + "text, merged with the heroes; otherwise it is answered from the heroes alone, and a warning says why. "
            + "Questions come from the argument, from --questions FILE, or one per line on standard input. "
            + "--emit writes the context a model should see (answers and heroes in position order, then the "
            + "question) as .safetensors, .npy or .json, with position ids under --positions.")

    @Argument(help: "The .phb index.")
    var index: String

    @Argument(help: "The question (omit, or '-', to read questions from --questions or standard input).")
    var question: String?

    /// The question given as the argument; "-", as for every other input, names standard input.
    private var givenQuestion: String? { question == "-" ? nil : question }

    @Option(help: "Number of answers per question.")
    var top: Int = 5

    @Flag(help: "One JSON object per question, one per line.")
    var json = false

    @Option(help: "Widen each answer by N tokens on both sides, read from the corpus.")
    var context: Int = 0

    @Option(help: "The corpus the index was built from (default: the recorded path, if unchanged). Repeat for several inputs.")
    var corpus: [String] = []

    @Option(help: "A file of questions, one per line ('-': standard input).")
    var questions: String?

    @Option(help: ArgumentHelp("The question as token ids (comma-separated), for indexes built without a tokenizer.", valueName: "ids"))
    var queryIds: String?

    @OptionGroup var tokenizer: TokenizerArgument

    @Option(help: ArgumentHelp("Read every window of this corpus instead of routing (exhaustive, at close to scan speed).", valueName: "corpus"))
    var rescan: String?

    @Flag(help: "Answer from the heroes only, without reading the corpus.")
    var indexOnly = false

    @Option(help: ArgumentHelp("Corpus windows read per question when routing, once an answer holds most of the question (while none does, up to \(Teleporter.searchExtension) times as many, or 1/\(Teleporter.searchShareDivisor) of the corpus's windows if more, or all of them if at most \(Teleporter.wholeCorpusFactor) times that)."))
    var maxWindows: Int = 32

    @Flag(help: "Explain each answer on standard error: the question's terms, their weights and windows, and what routing read.")
    var explain = false

    @Option(help: ArgumentHelp("Threads reading corpus windows: --rescan divides them, routing decompresses the next ones ahead; answers do not depend on it (default: all cores).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Write an LLM-ready pack (.safetensors, .npy or .json).", valueName: "path"))
    var emit: String?

    @Option(help: "Tokens in the pack at most (best answers and spans kept when cutting).")
    var maxTokens: Int = 4_096

    @Option(help: "Position ids in the pack: original, contiguous or scaled:MAX.")
    var positions: String = "original"

    @OptionGroup var input: InputArguments

    func validate() throws {
        if context < 0 { throw ValidationError("'--context' must not be negative") }
        if maxTokens <= 0 { throw ValidationError("'--max-tokens' must be at least 1") }
        if maxWindows <= 0 { throw ValidationError("'--max-windows' must be at least 1") }
        try Threads.validate(threads)
        if question != nil && questions != nil { throw ValidationError("give the question as an argument or with '--questions', not both") }
        if queryIds != nil && (questions != nil) { throw ValidationError("'--query-ids' takes one question; it cannot be combined with '--questions'") }
        if indexOnly && (rescan != nil || !corpus.isEmpty) {
            throw ValidationError("'--index-only' answers without the corpus; it cannot be combined with '--rescan' or '--corpus'")
        }
        if rescan != nil && !corpus.isEmpty { throw ValidationError("'--rescan' names the corpus; it cannot be combined with '--corpus'") }
        if emit != nil && givenQuestion == nil && queryIds == nil {
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
            var options = QuerySession.Options()
            options.top = top
            options.maxWindows = maxWindows
            options.context = context
            options.corpus = corpus
            options.rescan = rescan
            options.indexOnly = indexOnly
            options.threads = Threads.count(threads)
            options.input = try input.options()
            if queryIds == nil, let givenQuestion { options.questions = [givenQuestion] }
            let session = try QuerySession(index: index, tokenizer: try tokenizer.load(), options: options)
            let asked = try collectQuestions()
            for warning in session.warnings { printError("proteus-index: warning: \(warning)") }
            let printer = AnswerPrinter(json: json, color: isatty(1) != 0)
            for (text, ids) in asked {
                let (answer, contexts, result) = try session.ask(text, tokens: ids)
                if let note = answer.note, !json { printError("proteus-index: note: \(note)") }
                if explain { printError(Explanation.text(result, tokenizer: session.engine.tokenizer)) }
                printer.print(answer, contexts: contexts, warnings: session.warnings)
                if let emit {
                    let pack = try session.pack(result, tokens: answer.questionTokens, maxTokens: maxTokens, positions: positionMode)
                    try PackWriter.write(pack, to: emit)
                }
            }
            exitLeavingTeardownToTheKernel(holding: session)
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
            return [(givenQuestion ?? queryIds, ids)]
        }
        if let givenQuestion { return [(givenQuestion, nil)] }
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
