/// The DNA signals a build can switch off for ablations.
public struct Signals: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let surprisal = Signals(rawValue: 1 << 0)
    public static let burstiness = Signals(rawValue: 1 << 1)
    public static let gates = Signals(rawValue: 1 << 2)
    public static let spans = Signals(rawValue: 1 << 3)
    /// Identifier-shaped tokens (digit runs, hex groups, hyphenated pieces) score more.
    public static let shapes = Signals(rawValue: 1 << 4)

    /// Each signal with the name the index stores and `--signals` takes, in that order.
    public static let named: [(signal: Signals, name: String)] = [
        (.surprisal, "surprisal"), (.burstiness, "burstiness"), (.gates, "gates"), (.spans, "spans"), (.shapes, "shapes"),
    ]

    /// Every signal: the default.
    public static let all = Signals(named.map(\.signal))

    /// The names of the signals on, in the order of `named`.
    public var names: [String] { Self.named.filter { contains($0.signal) }.map(\.name) }

    /// The signals `names` name; an unknown name is a usage error.
    public init(names: [String]) throws {
        self = []
        for name in names {
            guard let signal = Self.named.first(where: { $0.name == name })?.signal else {
                let known = Self.named.map(\.name).joined(separator: ", ")
                throw "unknown signal '\(name)' in \(ParameterError.Parameter.signals) (expected one of: \(known))" as ParameterError
            }
            insert(signal)
        }
    }

    /// The signals an index records. Names this version does not know are left out (an index
    /// of the evaluation's kept positions once recorded "kept-positions").
    init(recorded names: [String]) {
        self = Signals(Self.named.filter { names.contains($0.name) }.map(\.signal))
    }
}
