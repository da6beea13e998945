/// A parameter of a library call that breaks its rule. The library names its parameters as
/// the API does (`'bufferTokens' must be positive (got 0)`); a front end that spells them
/// another way (command-line flags) renders the same message with `message(naming:)`.
public struct ParameterError: Error, Equatable, Sendable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// Every parameter a rule can name.
    public enum Parameter: String, Sendable, CaseIterable {
        case chunkLength, perChunk, topP, bufferTokens, span, gateCount, featureDimension, statisticsSampleTokens
        case routeWindow, routeListShare, signals, focus, embeddings, tokenizer, top
    }

    /// The message as text and the parameters it names, in order.
    public enum Part: Equatable, Sendable {
        case text(String)
        case parameter(Parameter)
    }

    public var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { if !literal.isEmpty { parts.append(.text(literal)) } }
        public mutating func appendInterpolation(_ parameter: Parameter) { parts.append(.parameter(parameter)) }
        public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text("\(value)")) }
    }

    /// The message with each parameter spelt by `name`.
    public func message(naming name: (Parameter) -> String) -> String {
        parts.map { part -> String in
            switch part {
            case .text(let text): return text
            case .parameter(let p): return name(p)
            }
        }.joined()
    }

    /// The message in the library's own names: `'bufferTokens'`.
    public var description: String { message { "'\($0.rawValue)'" } }
}
