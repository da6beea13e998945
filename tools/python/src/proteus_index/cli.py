"""Thin typed wrappers over the ``proteus-index`` command, which stays the one implementation
of scoring, routing and packing: `query` runs ``query --json``, `pack` runs ``query --emit``.

The binary is ``$PROTEUS_INDEX_BIN`` when set, else ``proteus-index`` on ``PATH``. A failure
of the command raises `ProteusIndexError` with the line it printed and its exit status.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ._errors import PROGRAM, ProteusIndexError

PathLike = str | os.PathLike[str]


def find_binary() -> str:
    """The ``proteus-index`` executable: ``$PROTEUS_INDEX_BIN``, else the one on ``PATH``.

    Raises
    ------
    ProteusIndexError
        When neither names an executable file (``exit_status`` is None).
    """
    named = os.environ.get("PROTEUS_INDEX_BIN")
    if named:
        if os.path.isfile(named) and os.access(named, os.X_OK):
            return named
        raise ProteusIndexError(f"PROTEUS_INDEX_BIN is '{named}', which is not an executable file",
                                exit_status=None)
    found = shutil.which(PROGRAM)
    if found is None:
        raise ProteusIndexError("the proteus-index command is not on PATH; set PROTEUS_INDEX_BIN to its path "
                                "(`swift build -c release` builds .build/release/proteus-index)", exit_status=None)
    return found


def run(arguments: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Runs ``proteus-index ARGUMENTS`` and returns its output.

    Raises
    ------
    ProteusIndexError
        When the binary is missing or exits with a failure: the message is the line it
        printed (``proteus-index: FILE: what is wrong``) and ``exit_status`` its status.
    """
    binary = find_binary()
    try:
        done = subprocess.run([binary, *arguments], capture_output=True, text=True, errors="replace", check=False)
    except OSError as e:
        raise ProteusIndexError(f"cannot run {binary}: {e.strerror} (errno {e.errno})", exit_status=None) from None
    if done.returncode < 0:
        raise ProteusIndexError(f"{binary} was killed by signal {-done.returncode}", exit_status=None)
    if done.returncode != 0:
        raise ProteusIndexError(_failure_line(done.stderr), exit_status=done.returncode, line=_failure_line(done.stderr))
    return done


def _failure_line(stderr: str) -> str:
    """The line that says what failed: the tool's own ``proteus-index: ...`` line (warnings
    and notes aside), else an argument parser's ``Error: ...``, else the first line."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(PROGRAM + ": ") and not line.startswith((PROGRAM + ": warning:", PROGRAM + ": note:")):
            return line
    for line in lines:
        if line.startswith("Error: "):
            return line
    return lines[0] if lines else f"{PROGRAM} failed without a message"


@dataclass(frozen=True)
class Answer:
    """One ranked answer of ``query --json``."""

    #: The passage's text (None when its tokens are not valid UTF-8 on their own).
    text: str | None
    #: Name of the document that holds it.
    document: str
    #: Corpus positions of its first token and one past its last.
    start: int
    end: int
    score: float
    #: How the question was answered: "teleport" (routed to corpus windows), "heroes" (the
    #: index alone) or "rescan".
    mode: str
    #: Where this answer came from: "corpus" or "heroes".
    source: str
    rank: int
    document_id: int
    #: Position of `start` inside its document.
    document_offset: int
    matched_tokens: int
    #: Share of the question's weight the passage holds (its score without the bonus of the
    #: question's adjacent pairs, which can lift the score above 1).
    coverage: float
    #: The passage's token ids (uint32).
    token_ids: np.ndarray = field(repr=False)
    #: The widened context (start, end, token_ids, text) when ``context=`` asked for one.
    context: dict[str, Any] | None = field(default=None, repr=False)


class Answers(list):  # list[Answer]
    """The answers to one question, best first, with what ``query --json`` says about it.

    Attributes
    ----------
    question : str
    question_tokens : numpy.ndarray
        The question's token ids (uint32).
    mode : str
        "teleport", "heroes" or "rescan".
    warnings : list of str
        Why the corpus was not used, when it was not (e.g. it changed since the build).
    windows_read, candidate_windows : int
    stopped_at_window_limit : bool
    elapsed_ms : float
    """

    question: str
    question_tokens: np.ndarray
    mode: str
    warnings: list[str]
    windows_read: int
    candidate_windows: int
    stopped_at_window_limit: bool
    elapsed_ms: float

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Answers":
        answers = cls(Answer(text=r["text"], document=r["document"], start=r["start"], end=r["end"],
                             score=r["score"], mode=obj["mode"], source=r["source"], rank=r["rank"],
                             document_id=r["document_id"], document_offset=r["document_offset"],
                             matched_tokens=r["matched_tokens"], coverage=r.get("coverage", 0.0), token_ids=np.array(r["token_ids"], dtype=np.uint32),
                             context=r.get("context")) for r in obj["results"])
        answers.question = obj["question"]
        answers.question_tokens = np.array(obj["question_tokens"], dtype=np.uint32)
        answers.mode = obj["mode"]
        answers.warnings = list(obj["warnings"])
        answers.windows_read = obj["windows_read"]
        answers.candidate_windows = obj["candidate_windows"]
        answers.stopped_at_window_limit = obj["stopped_at_window_limit"]
        answers.elapsed_ms = obj["elapsed_ms"]
        return answers


def _query_arguments(index: PathLike, question: str, top: int, corpus: PathLike | Sequence[PathLike] | None,
                     index_only: bool, max_windows: int | None, context: int) -> list[str]:
    arguments = ["query", "--json", "--top", str(top)]
    if corpus is not None:
        for c in [corpus] if isinstance(corpus, (str, os.PathLike)) else corpus:
            arguments += ["--corpus", os.fspath(c)]
    if index_only:
        arguments.append("--index-only")
    if max_windows is not None:
        arguments += ["--max-windows", str(max_windows)]
    if context:
        arguments += ["--context", str(context)]
    # "--" ends the options, so a question (or path) that starts with "-" is taken as text.
    return arguments + ["--", os.fspath(index), question]


def query(index: PathLike, question: str, top: int = 5, corpus: PathLike | Sequence[PathLike] | None = None,
          *, index_only: bool = False, max_windows: int | None = None, context: int = 0) -> Answers:
    """Answers a question with ``proteus-index query --json``.

    Parameters
    ----------
    index : str or os.PathLike
        The `.phb` index.
    question : str
        The question, as text (tokenized by the index's embedded tokenizer).
    top : int, default 5
        Answers wanted.
    corpus : path or list of paths, optional
        The corpus the index was built from, when it is not at the recorded path; without
        it (and without the recorded corpus) the question is answered from the heroes alone
        and ``Answers.warnings`` says why.
    index_only : bool, default False
        Answer from the heroes alone, never reading the corpus.
    max_windows : int, optional
        Corpus windows read at most when routing, once an answer holds most of the question
        (the CLI's default is 32).
    context : int, default 0
        Widen each answer by this many tokens on both sides (``Answer.context``).

    Returns
    -------
    Answers
        A list of `Answer`, best first, with the question's mode, tokens and warnings.

    Raises
    ------
    ProteusIndexError
        When the command is missing or fails (bad index, empty question, wrong corpus...).
    """
    done = run(_query_arguments(index, question, top, corpus, index_only, max_windows, context))
    return Answers.from_json(json.loads(done.stdout.splitlines()[0]))


@dataclass
class Pack:
    """The context a model should see for one question: selected heroes and answers in
    position order, then the question, each token with its RoPE position.

    Arrays have shape ``[1, n]`` (a batch of one, as Hugging Face models take them):
    ``input_ids``, ``position_ids`` and ``document_ids`` int64, ``scores`` float32; numpy
    arrays, or torch tensors when asked for with ``as_torch=True``.

    Examples
    --------
    >>> pack = index.pack("Where did the founders meet?", as_torch=True)
    >>> out = model(**pack.model_inputs())
    >>> out.logits[0, pack.question]          # the question tokens' logits
    """

    input_ids: Any
    position_ids: Any
    #: Document of each token; the question's tokens have -1.
    document_ids: Any
    #: DNA score of each hero token; 0 for the question and for passages read from the corpus.
    scores: Any
    #: Number of leading tokens that come from the corpus (the rest is the question).
    hero_tokens: int
    #: How positions were numbered: "original", "contiguous" or "scaled:MAX".
    positions: str
    #: The answers the pack was built from (``query --json`` of the same run).
    answers: Answers = field(repr=False)

    @property
    def question(self) -> slice:
        """The question tokens' columns: ``pack.input_ids[0, pack.question]``."""
        return slice(self.hero_tokens, int(self.input_ids.shape[1]))

    def __len__(self) -> int:
        return int(self.input_ids.shape[1])

    def model_inputs(self) -> dict[str, Any]:
        """``{"input_ids": ..., "position_ids": ...}``, to call ``model(**pack.model_inputs())``."""
        return {"input_ids": self.input_ids, "position_ids": self.position_ids}

    def to_torch(self) -> "Pack":
        """The same pack with torch tensors (shares memory with the numpy arrays)."""
        import torch  # optional dependency: only this conversion needs it

        def convert(a: Any) -> Any:
            return a if isinstance(a, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(a))

        return Pack(convert(self.input_ids), convert(self.position_ids), convert(self.document_ids),
                    convert(self.scores), self.hero_tokens, self.positions, self.answers)


def pack(index: PathLike, question: str, positions: str = "original", max_tokens: int = 4096,
         as_torch: bool = False, *, top: int = 5, corpus: PathLike | Sequence[PathLike] | None = None,
         index_only: bool = False, max_windows: int | None = None) -> Pack:
    """The LLM pack of a question, from ``proteus-index query --emit``.

    Parameters
    ----------
    index : str or os.PathLike
        The `.phb` index.
    question : str
        The question.
    positions : {"original", "contiguous"} or "scaled:MAX", default "original"
        ``original`` keeps every hero's corpus position and puts the question right after
        the last corpus token (teleportation); ``contiguous`` renumbers 0..n-1; ``scaled:MAX``
        maps positions linearly into [0, MAX).
    max_tokens : int, default 4096
        Tokens in the pack at most (best answers and spans kept when cutting).
    as_torch : bool, default False
        Return torch tensors instead of numpy arrays.
    top, corpus, index_only, max_windows
        As for `query`; the answers come first in the pack.

    Returns
    -------
    Pack

    Raises
    ------
    ProteusIndexError
        When the command is missing or fails.
    """
    arguments = _query_arguments(index, question, top, corpus, index_only, max_windows, 0)
    with tempfile.TemporaryDirectory(prefix="proteus-pack-") as folder:
        emit = os.path.join(folder, "pack.npy")
        options = ["--emit", emit, "--positions", positions, "--max-tokens", str(max_tokens)]
        done = run(arguments[:-3] + options + arguments[-3:])
        records = np.load(emit)
    answers = Answers.from_json(json.loads(done.stdout.splitlines()[0]))
    columns = {name: np.ascontiguousarray(records[name]).reshape(1, -1)
               for name in ("input_ids", "position_ids", "document_ids", "scores")}
    # The question's tokens are the ones of no document; they follow every corpus token.
    hero_tokens = int(np.count_nonzero(columns["document_ids"] >= 0))
    result = Pack(columns["input_ids"], columns["position_ids"], columns["document_ids"], columns["scores"],
                  hero_tokens, positions, answers)
    return result.to_torch() if as_torch else result
