extension QuestionTerms {
    /// How the question's tokens relate to the corpus.
    public struct Lexicon {
        /// Surprisal of an id in the corpus (bits).
        public var surprisal: (UInt32) -> Float
        /// Whether the corpus holds the id at all.
        public var occurs: (UInt32) -> Bool
        /// The id and its other spellings (the id first).
        public var spellings: (UInt32) -> [UInt32]
        /// Whether the id holds a letter or a digit (punctuation does not).
        public var isContent: (UInt32) -> Bool
        /// Whether the id starts with whitespace, and whether it ends inside a word (its last
        /// byte a letter or a digit): the question's word starts are told apart with these.
        public var startsWord: (UInt32) -> Bool
        public var endsInWord: (UInt32) -> Bool
        /// The id's join flags (`JoinedPairs`): which adjacent question tokens are one word.
        public var joinFlags: (UInt32) -> UInt8
        /// A word's tokenizations at a line start, and glued to a character before it
        /// (`TokenShapes.lineStartForms`).
        public var lineStartForms: (ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])]
        /// The same for the word in the other case of its letters (`TokenShapes.caseForms`).
        public var caseForms: (ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])]
        /// The same for a lowercase word in mixed case (`TokenShapes.mixedCaseForms`).
        public var mixedCaseForms: (ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])]
        /// The inflected forms of several tokens of a word (`TokenShapes.inflectedForms`).
        public var inflectedForms: (ArraySlice<UInt32>) -> [[UInt32]]
        /// Whether the id stands in few places of the corpus (`rareWindowShareDivisor`): a
        /// word of one token then keeps every form, glued ones too, whatever its spellings
        /// (`QuestionTerms.wordForms`), and a guessed mixed-case form or an inflected form of
        /// several tokens needs such a piece.
        public var isRare: (UInt32) -> Bool
        /// Whether the routing tier keeps no list of the id or of another of its spellings (it
        /// stands in most windows): its line-start forms cannot raise a window's bound
        /// ("Typically" opening a line is "Typ" "ically"; " Typically" is one token), and it
        /// keeps no glued form ("(the" is one token, in code everywhere).
        public var routesEverywhere: (UInt32) -> Bool
        /// Whether the id goes on an identifier after a word ("_CREATE" of "SQLITE_CREATE").
        public var continuesIdentifier: (UInt32) -> Bool
        /// How many times fewer windows hold the id than would if its occurrences fell at
        /// random (at least 1, `Teleporter.clumping`): a clumped word is rarer to meet in a
        /// passage than its count says, so its probability is divided by it.
        public var clumping: (UInt32) -> Float
        /// The id as a lowercase word of ASCII letters (`TokenShapes.asciiWord`), nil when it
        /// is none: the words that ask are told by it (`askingWords`).
        public var word: (UInt32) -> String?
        /// The single-token inflected forms of a word token with their spellings
        /// (`TokenShapes.inflections`), none of its own.
        public var inflections: (UInt32) -> [UInt32]

        public init(surprisal: @escaping (UInt32) -> Float, occurs: @escaping (UInt32) -> Bool,
                    spellings: @escaping (UInt32) -> [UInt32] = { [$0] }, isContent: @escaping (UInt32) -> Bool = { _ in true },
                    startsWord: @escaping (UInt32) -> Bool = { _ in true }, endsInWord: @escaping (UInt32) -> Bool = { _ in false },
                    joinFlags: @escaping (UInt32) -> UInt8 = { _ in 0 },
                    lineStartForms: @escaping (ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])] = { _ in [] },
                    isRare: @escaping (UInt32) -> Bool = { _ in false },
                    routesEverywhere: @escaping (UInt32) -> Bool = { _ in false },
                    continuesIdentifier: @escaping (UInt32) -> Bool = { _ in false },
                    clumping: @escaping (UInt32) -> Float = { _ in 1 },
                    word: @escaping (UInt32) -> String? = { _ in nil },
                    inflections: @escaping (UInt32) -> [UInt32] = { _ in [] },
                    caseForms: @escaping (ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])] = { _ in [] },
                    inflectedForms: @escaping (ArraySlice<UInt32>) -> [[UInt32]] = { _ in [] },
                    mixedCaseForms: @escaping (ArraySlice<UInt32>) -> [(ids: [UInt32], covering: [Int])] = { _ in [] }) {
            self.surprisal = surprisal
            self.occurs = occurs
            self.spellings = spellings
            self.isContent = isContent
            self.startsWord = startsWord
            self.endsInWord = endsInWord
            self.joinFlags = joinFlags
            self.lineStartForms = lineStartForms
            self.isRare = isRare
            self.routesEverywhere = routesEverywhere
            self.continuesIdentifier = continuesIdentifier
            self.clumping = clumping
            self.word = word
            self.inflections = inflections
            self.caseForms = caseForms
            self.inflectedForms = inflectedForms
            self.mixedCaseForms = mixedCaseForms
        }
    }
}
