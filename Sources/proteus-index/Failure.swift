import ArgumentParser
import ProteusIndex
#if canImport(Glibc)
import Glibc
#endif

/// Runs a subcommand's body and turns a `ProteusError` into its one-line message and exit
/// status, the way every subcommand reports failure.
func reportingFailures(_ body: () throws -> Void) throws {
    ProcessSignals.install(programName: "proteus-index")
    do {
        try body()
    } catch let error as ProteusError {
        printError("proteus-index: \(error)")
        throw ExitCode(error.exitStatus)
    } catch let error as ParameterError {
        printError("proteus-index: \(error.message(naming: flag))")
        throw ExitCode(ProteusError.Kind.usage.rawValue)
    }
}

/// How the command line spells a library parameter: its flag. The library's names that no
/// flag sets (the command line never passes them a bad value) keep the library's spelling.
func flag(_ parameter: ParameterError.Parameter) -> String {
    switch parameter {
    case .chunkLength: return "'--chunk-len'"
    case .perChunk: return "'--per-chunk'"
    case .topP: return "'--top-p'"
    case .bufferTokens: return "'--buffer'"
    case .span: return "'--span'"
    case .routeWindow: return "'--route-window'"
    case .routeListShare: return "'--route-list-share'"
    case .signals: return "'--signals'"
    case .focus: return "'--focus'"
    case .embeddings: return "'--embeddings'"
    case .tokenizer: return "--tokenizer FILE.tiktoken"
    case .top: return "'--top'"
    case .gateCount, .featureDimension, .statisticsSampleTokens: return "'\(parameter.rawValue)'"
    }
}

/// `--threads N` means the same in every subcommand: N ≥ 1 threads, one per core when omitted.
enum Threads {
    static func validate(_ threads: Int?) throws {
        if let threads, threads <= 0 { throw ValidationError("'--threads' must be at least 1") }
    }

    static func count(_ threads: Int?) -> Int { threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    fputs(text, stderr)
}
