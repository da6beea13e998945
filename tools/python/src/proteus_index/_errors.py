"""The one exception the package raises, worded exactly as the command-line tool words it."""
from __future__ import annotations

# Exit statuses of the command-line tool (sysexits.h values, README "Exit status").
USAGE = 64
DATA_ERROR = 65
NO_INPUT = 66
CANNOT_CREATE = 73
IO_ERROR = 74

PROGRAM = "proteus-index"


class ProteusIndexError(Exception):
    """A failure, reported as the one line ``proteus-index`` prints for it.

    ``str(error)`` is that line, e.g.
    ``proteus-index: corpus.phb: section 'SPAN' at byte 1216: checksum mismatch``,
    so a message seen in Python can be searched for in the CLI's documentation and tests.

    Parameters
    ----------
    message : str
        What is wrong, without the program name or the path.
    path : str, optional
        The file the problem is about, as the caller named it.
    exit_status : int, optional
        The exit status the command-line tool uses for this failure (64 usage, 65 bad data,
        66 missing input, 73 cannot create, 74 I/O error); None when no status applies
        (the tool itself could not be found or started).

    Attributes
    ----------
    message, path, exit_status
        As given.
    line : str
        The full line, as printed by the command-line tool (``str(error)``).
    """

    def __init__(self, message: str, path: str | None = None, exit_status: int | None = DATA_ERROR,
                 *, line: str | None = None) -> None:
        self.message = message
        self.path = path
        self.exit_status = exit_status
        where = f"{path}: " if path is not None else ""
        # A line the CLI printed is kept verbatim; otherwise it is built as the CLI builds it.
        self.line = line if line is not None else f"{PROGRAM}: {where}{message}"
        super().__init__(self.line)

    def __str__(self) -> str:
        return self.line
