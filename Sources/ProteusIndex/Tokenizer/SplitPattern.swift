/// The pre-tokenization rule of a tiktoken encoding: which regular expression cuts text into
/// pieces before BPE, and which special tokens come with it.
///
/// The expressions are not compiled: `PieceScanner` implements each one by hand over UTF-8
/// bytes, with the same leftmost-first alternation, possessive quantifiers and lookahead.
public enum SplitPattern: String, CaseIterable, Sendable {
    /// cl100k_base (GPT-3.5/GPT-4).
    case cl100k
    /// r50k_base (GPT-2).
    case r50k

    /// The regular expression tiktoken uses, for reference tools and messages.
    public var regex: String {
        switch self {
        case .cl100k:
            return #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"#
        case .r50k:
            return #"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"#
        }
    }

    /// The special tokens of the encoding and their ids (not in the rank file).
    public var specialTokens: [(text: String, id: UInt32)] {
        switch self {
        case .cl100k:
            return [("<|endoftext|>", 100257), ("<|fim_prefix|>", 100258), ("<|fim_middle|>", 100259),
                    ("<|fim_suffix|>", 100260), ("<|endofprompt|>", 100276)]
        case .r50k:
            return [("<|endoftext|>", 50256)]
        }
    }

    /// The pattern that goes with a rank file of `rankCount` ranks, when it is one of the known sizes.
    public static func inferred(rankCount: Int) -> SplitPattern? {
        switch rankCount {
        case 100_000...100_256: return .cl100k
        case 50_000...50_256: return .r50k
        default: return nil
        }
    }
}
