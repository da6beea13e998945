import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The signal handlers of the command-line tool: what must still happen when the process is
/// interrupted, or when a mapped input shrinks under it.
///
/// - SIGINT, SIGTERM, SIGHUP: temporary outputs are unlinked, one line says so ("PROGRAM:
///   interrupted; nothing was written"), then the process dies of the same signal (so the
///   shell's status still says "interrupted": 130 for Ctrl-C). This runs on a thread of its
///   own that waits for them with `sigwait`, not in a handler: a handler interrupts a thread
///   wherever it is, even holding the runtime's type-metadata lock, and any Swift generic
///   it then touches waits for that lock forever (seen under TSan). The signals are blocked
///   from `install` on; a handler that forwards them to the stop thread catches one sent to
///   a thread that does not block them.
/// - SIGBUS inside a mapped input (`MappedFile`): the file was truncated between the reader's
///   size check and the page access. The handler writes the same one-line message the check
///   would have thrown ("PATH: file shrank from N to M bytes while being read"), unlinks the
///   temporary outputs and exits with the data-error status (65). A SIGBUS anywhere else is
///   a bug, and is re-raised to crash as usual.
///
/// Handlers only use async-signal-safe calls (write, fstat, unlink, raise, _exit) and memory
/// that was allocated before they were installed.
public enum ProcessSignals {
    /// Message buffer, digits and the "PROGRAM: " prefix, prepared at install time: a handler
    /// must not allocate. Every one is a `let` and the lengths live in allocated memory: a
    /// `static var` is reached through swift_once and, in debug builds, swift_beginAccess,
    /// neither of which is async-signal-safe.
    private static let messageCapacity = 8192
    private static let message = UnsafeMutablePointer<UInt8>.allocate(capacity: messageCapacity)
    private static let digits = UnsafeMutablePointer<UInt8>.allocate(capacity: 24)
    private static let prefixBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    /// [0]: bytes in `message`; [1]: bytes in `prefixBuffer`.
    private static let lengths: UnsafeMutablePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        p.initialize(repeating: 0, count: 2)
        return p
    }()
    private static var messageLength: Int {
        get { lengths[0] }
        set { lengths[0] = newValue }
    }
    private static var prefixLength: Int {
        get { lengths[1] }
        set { lengths[1] = newValue }
    }

    /// Installs the handlers. `programName` starts the SIGBUS message, as in other errors.
    public static func install(programName: String) {
        // Create the tables now: a handler that ran their initialisers would re-enter
        // swift_once and spin forever (found by tools/kill_test.sh).
        _ = TemporaryFiles.table
        _ = MappedFile.live
        _ = message
        _ = digits
        _ = lengths
        _ = messageCapacity
        _ = TemporaryFiles.outputsWritten.load(ordering: .relaxed)
        let name = Array((programName + ": ").utf8.prefix(255))
        prefixBuffer.update(from: name, count: name.count)
        prefixLength = name.count

        startStopThread()
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { _, info, _ in
            ProcessSignals.busError(at: UInt(bitPattern: info?.pointee._sifields._sigfault.si_addr))
        }
        action.sa_flags = SA_SIGINFO
        sigemptyset(&action.sa_mask)
        sigaction(SIGBUS, &action, nil)

        // A parent that spawns from a thread with SIGBUS blocked (Foundation's Process from a
        // dispatch worker does) would make a shrunken file a hang: make it deliverable.
        var bus = sigset_t()
        sigemptyset(&bus)
        sigaddset(&bus, SIGBUS)
        pthread_sigmask(SIG_UNBLOCK, &bus, nil)
    }

    /// The thread that waits for the stopping signals, once per process.
    private static let stopThread: UnsafeMutablePointer<pthread_t> = {
        let p = UnsafeMutablePointer<pthread_t>.allocate(capacity: 1)
        p.initialize(to: pthread_t())
        return p
    }()
    private static let stopThreadStarted = Atomic<Bool>(false)

    /// The signals that stop the process (taken by the stop thread).
    private static let stopping: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private static func stoppingSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in stopping { sigaddset(&set, sig) }
        return set
    }

    /// Blocks the stopping signals in the calling thread (threads it starts inherit the mask)
    /// and starts the thread that takes them. A parent's blocked or ignored disposition does
    /// not matter: `sigwait` takes a blocked signal, and the forwarding handler replaces
    /// SIG_IGN as the old handlers did.
    private static func startStopThread() {
        var set = stoppingSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        guard !stopThreadStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = stopThread
        let created = pthread_create(stopThread, nil, { _ in
            ProcessSignals.waitForStop()
            return nil
        }, nil)
        guard created == 0 else {
            // No thread to take them: better to die without cleaning up than to ignore Ctrl-C.
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            return
        }
        pthread_detach(stopThread.pointee)
        for sig in stopping {
            // Only reached by a thread that does not block the signal (one that was running
            // before `install`): hand it to the stop thread. pthread_kill is signal-safe.
            signal(sig) { received in _ = pthread_kill(ProcessSignals.stopThread.pointee, received) }
        }
    }

    /// The stop thread's body: wait for a stopping signal, clean up, die of that signal.
    private static func waitForStop() {
        var set = stoppingSignals()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        TemporaryFiles.unlinkAll()
        reportStop(received)
        signal(received, SIG_DFL)
        var one = sigset_t()
        sigemptyset(&one)
        sigaddset(&one, received)
        pthread_sigmask(SIG_UNBLOCK, &one, nil)
        raise(received)
        _exit(128 + received)  // unreachable: the default action of a stopping signal ends the process
    }

    /// The SIGBUS handler's body: report the shrunken mapped file, or crash as a bug would.
    /// Straight-line code over preallocated buffers: no closures with captured variables
    /// (boxes are allocated), no generic calls on tuples (their type metadata is built under
    /// a runtime lock; a debug build deadlocked here in a forked child).
    private static func busError(at address: UInt) {
        guard let slot = MappedFile.live.slot(containing: address) else {
            signal(SIGBUS, SIG_DFL)
            raise(SIGBUS)
            return
        }
        let base = SignalSafeTable.base(of: slot), length = SignalSafeTable.length(of: slot)
        let path = SignalSafeTable.path(of: slot)
        messageLength = 0
        append(prefixBuffer, prefixLength)
        append(UnsafeRawPointer(path).assumingMemoryBound(to: UInt8.self), strlen(path))
        var st = stat()
        if fstat(Int32(SignalSafeTable.tag(of: slot)), &st) == 0 {
            append(": file shrank from ")
            appendDecimal(UInt64(length))
            append(" to ")
            appendDecimal(UInt64(st.st_size))
            append(" bytes while being read\n")
        } else {
            append(": file shrank while being read (byte ")
            appendDecimal(UInt64(address - base))
            append(" of its mapping is gone)\n")
        }
        writeMessage()
        TemporaryFiles.unlinkAll()
        _exit(ProteusError.Kind.dataError.rawValue)
    }

    /// The line a stopping signal prints, from static strings and the prepared prefix only.
    private static func reportStop(_ signal: Int32) {
        messageLength = 0
        append(prefixBuffer, prefixLength)
        append(signal == SIGINT ? "interrupted" : signal == SIGTERM ? "terminated" : "hung up")
        append(TemporaryFiles.outputsWritten.load(ordering: .relaxed) == 0 ? "; nothing was written\n"
                                                  : "; outputs finished before it were kept, the unfinished one removed\n")
        writeMessage()
    }

    private static func writeMessage() {
        var written = 0
        while written < messageLength {
            let n = write(2, message + written, messageLength - written)
            if n <= 0 { break }
            written += n
        }
    }

    private static func append(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        let n = count < messageCapacity - messageLength ? count : messageCapacity - messageLength
        (message + messageLength).update(from: bytes, count: n)
        messageLength += n
    }

    private static func append(_ text: StaticString) { append(text.utf8Start, text.utf8CodeUnitCount) }

    /// Decimal digits, written backwards into the preallocated `digits` (a u64 has at most 20).
    private static func appendDecimal(_ value: UInt64) {
        var rest = value, at = 24
        repeat {
            at -= 1
            digits[at] = UInt8(truncatingIfNeeded: rest % 10) + 0x30
            rest /= 10
        } while rest > 0
        append(digits + at, 24 - at)
    }
}
