import Foundation

/// A value worked out on a thread of its own while the caller goes on with other work;
/// `value()` waits for it and returns it or throws its error. (A query process builds the
/// embedded tokenizer this way while it opens the rest of the index and the corpus.) A
/// thread of its own starts at once, where work sent to Dispatch's pool waited about a
/// millisecond for a second worker while the first was busy.
final class BackgroundResult<Value>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?
    private var waited = false

    init(_ work: @escaping () throws -> Value) {
        let thread = Thread {
            self.result = Result(catching: work)
            self.done.signal()
        }
        thread.start()
    }

    /// Waits for the work the first time (one thread asks: the one that started it).
    func value() throws -> Value {
        if !waited {
            done.wait()
            waited = true
        }
        return try result!.get()
    }
}
