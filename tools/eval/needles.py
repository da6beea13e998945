"""Needles (NIAH and RULER tasks) and their insertion at sentence boundaries.

A case is built from a base haystack of exactly N tokens: each needle goes in at its target
depth, moved back to the previous sentence end (a token ending in '.', '!' or '?' followed by
a token starting with a space or newline), and the haystack's tail is cut so the case file
still holds exactly N tokens. The exact token positions of every needle and of every
expected value are recorded for the scorer."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

NIAH_NEEDLE = "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day."
NIAH_QUESTION = "What is the best thing to do in San Francisco?"
NIAH_ANSWER = "eat a sandwich and sit in Dolores Park"

RULER_TEMPLATE = "One of the special magic {kind} for {key} is: {value}."
RULER_QUESTION = "What is the special magic {kind_singular} for {key} mentioned in the provided text?"
RULER_MULTIVALUE_QUESTION = "What are all the special magic {kind} for {key} mentioned in the provided text?"

JIGSAW_CLUES = ("The secret ingredient of the {dish} is {value}.", "The {dish} must simmer for {value} minutes.")
JIGSAW_QUESTION = "What is the secret ingredient of the {dish} and for how many minutes must it simmer?"

# Small fixed word lists (RULER draws keys as random words); seeded choices keep cases reproducible.
ADJECTIVES = """amber brave calm dusty eager faint gentle hollow icy jolly keen lively mellow nimble
olive proud quiet rapid silent tidy urban vivid wary young zesty bold crisp dim fancy grand""".split()
NOUNS = """anchor badger candle dragon engine falcon garden harbor island jacket kettle lantern meadow
needle orchard pebble quarry ribbon saddle tunnel umbrella violin walrus yacht zebra beacon canyon
diamond ember fossil""".split()
VALUE_WORDS = """apricot breeze cobalt dolphin emerald fjord glacier horizon indigo juniper kayak lagoon
magnet nectar obsidian pepper quartz raven sapphire thistle ultraviolet velvet willow xylophone
yarrow zephyr bramble cinder""".split()
DISHES = ("potato soup", "lentil stew", "pumpkin curry", "onion broth")

INSERTED_TASKS = ("niah", "single-numbers", "single-words", "single-uuids", "multikey", "multivalue", "jigsaw")
# "lookalike" is its own haystack (lookalike.py): lines of keys and numbers only, one asked key
TASKS = (*INSERTED_TASKS, "lookalike")
SENTENCE_END = (b".", b"!", b"?")


@dataclass
class NeedleSpec:
    text: str                 # the sentence as inserted (with a leading space)
    depth: float              # target depth in [0, 1]
    values: list[str]         # substrings of `text` whose tokens must be recovered


@dataclass
class CaseSpec:
    task: str
    depth: float
    question: str
    needles: list[NeedleSpec]
    expected: list[str]       # values that must all appear in the top-k results
    distractors: list[str] = field(default_factory=list)  # values of other keys (multikey)


@dataclass
class PlacedNeedle:
    text: str
    start: int                # absolute token position in the case file
    tokens: list[int]
    value_positions: dict[str, list[int]]  # value → absolute token positions covering it


@dataclass
class Case:
    spec: CaseSpec
    length: int
    needles: list[PlacedNeedle]

    @property
    def expected_positions(self) -> list[list[int]]:
        """For every expected value, the absolute positions of the tokens that carry it."""
        out = []
        for value in self.spec.expected:
            for n in self.needles:
                if value in n.value_positions:
                    out.append(n.value_positions[value])
                    break
            else:
                raise KeyError(value)
        return out


def _key(rng) -> str:
    return f"{ADJECTIVES[rng.integers(len(ADJECTIVES))]}-{NOUNS[rng.integers(len(NOUNS))]}"


def _value(kind: str, rng) -> str:
    if kind == "numbers":
        return str(int(rng.integers(1_000_000, 10_000_000)))
    if kind == "words":
        return f"{VALUE_WORDS[rng.integers(len(VALUE_WORDS))]}-{VALUE_WORDS[rng.integers(len(VALUE_WORDS))]}"
    if kind == "uuids":
        return str(uuid.UUID(bytes=rng.bytes(16), version=4))
    raise ValueError(kind)


def _ruler(kind: str, key: str, value: str, depth: float) -> NeedleSpec:
    return NeedleSpec(" " + RULER_TEMPLATE.format(kind=kind, key=key, value=value), depth, [value])


def make_case(task: str, depth: float, seed: int) -> CaseSpec:
    """The needles and question of one case; everything random comes from `seed`."""
    if not 0.0 <= depth <= 1.0:
        raise ValueError(f"depth {depth} outside [0, 1]")
    rng = np.random.default_rng(seed)
    spread = lambda k, n: (depth + k / n) % 1.0  # other needles spread evenly around the haystack
    if task == "niah":
        return CaseSpec(task, depth, NIAH_QUESTION, [NeedleSpec(" " + NIAH_NEEDLE, depth, [NIAH_ANSWER])], [NIAH_ANSWER])
    if task.startswith("single-"):
        kind = task.split("-", 1)[1]
        key, value = _key(rng), _value(kind, rng)
        q = RULER_QUESTION.format(kind_singular=kind[:-1], key=key)
        return CaseSpec(task, depth, q, [_ruler(kind, key, value, depth)], [value])
    if task == "multikey":
        keys: list[str] = []
        while len(keys) < 4:
            k = _key(rng)
            if k not in keys:
                keys.append(k)
        values = [_value("numbers", rng) for _ in keys]
        needles = [_ruler("numbers", k, v, depth if i == 0 else spread(i, 4)) for i, (k, v) in enumerate(zip(keys, values))]
        q = RULER_QUESTION.format(kind_singular="number", key=keys[0])
        return CaseSpec(task, depth, q, needles, [values[0]], distractors=values[1:])
    if task == "multivalue":
        key = _key(rng)
        values: list[str] = []
        while len(values) < 4:
            v = _value("numbers", rng)
            if v not in values:
                values.append(v)
        needles = [_ruler("numbers", key, v, depth if i == 0 else spread(i, 4)) for i, v in enumerate(values)]
        return CaseSpec(task, depth, RULER_MULTIVALUE_QUESTION.format(kind="numbers", key=key), needles, values)
    if task == "jigsaw":
        dish = DISHES[rng.integers(len(DISHES))]
        ingredient = VALUE_WORDS[rng.integers(len(VALUE_WORDS))]
        minutes = str(int(rng.integers(11, 99)))
        a = NeedleSpec(" " + JIGSAW_CLUES[0].format(dish=dish, value=ingredient), depth, [ingredient])
        b = NeedleSpec(" " + JIGSAW_CLUES[1].format(dish=dish, value=minutes), spread(1, 2), [minutes])
        return CaseSpec(task, depth, JIGSAW_QUESTION.format(dish=dish), [a, b], [ingredient, minutes])
    if task == "lookalike":
        raise ValueError("the lookalike task writes its own haystack: use lookalike.write_case")
    raise ValueError(f"unknown task {task!r} (known: {', '.join(TASKS)})")


class BoundaryTable:
    """Per-vocabulary flags: token ends a sentence / token starts with whitespace."""

    def __init__(self, enc):
        n = enc.n_vocab
        self.ends = np.zeros(n + 1, dtype=bool)
        self.starts_ws = np.zeros(n + 1, dtype=bool)
        for i in range(n):
            try:
                b = enc.decode_single_token_bytes(i)
            except KeyError:
                continue
            if b:
                self.ends[i] = b.rstrip().endswith(SENTENCE_END) and not b[-1:].isspace()
                self.starts_ws[i] = b[:1] in (b" ", b"\n", b"\r", b"\t")

    def boundary_before(self, tokens: np.ndarray, target: int, window: int = 1 << 16) -> int:
        """The largest p ≤ target with tokens[p-1] ending a sentence and tokens[p] starting
        with whitespace (p = 0 counts as a boundary)."""
        target = int(min(max(target, 0), len(tokens) - 1))
        while target > 0:
            lo = max(1, target - window)
            seg_prev = np.asarray(tokens[lo - 1:target], dtype=np.int64)   # tokens[p-1] for p in lo..target
            seg_next = np.asarray(tokens[lo:target + 1], dtype=np.int64)   # tokens[p]
            ok = np.flatnonzero(self.ends[seg_prev] & self.starts_ws[seg_next])
            if len(ok):
                return lo + int(ok[-1])
            target = lo - 1
        return 0


def _value_offsets(enc, tokens: list[int], text: str, value: str) -> list[int]:
    """Offsets (within `tokens`) of the tokens whose characters overlap `value` in `text`."""
    decoded, starts = enc.decode_with_offsets(tokens)
    assert decoded == text, "needle does not round-trip through the tokenizer"
    a = text.index(value)
    b = a + len(value)
    ends = starts[1:] + [len(decoded)]
    return [i for i, (s, e) in enumerate(zip(starts, ends)) if s < b and e > a]


def write_case(base_path: os.PathLike | str, out_path: os.PathLike | str, spec: CaseSpec, enc,
               table: BoundaryTable, block: int = 1 << 24) -> Case:
    """Copies the base haystack (u32, N tokens) to `out_path` with the needles inserted,
    cutting the tail so the case also holds exactly N tokens."""
    base = np.memmap(base_path, dtype="<u4", mode="r")
    n = len(base)
    encoded = [enc.encode_ordinary(nd.text) for nd in spec.needles]
    total = sum(len(t) for t in encoded)
    if total >= n:
        raise ValueError(f"haystack of {n} tokens is too short for {total} needle tokens")
    room = n - total  # base tokens that survive
    # Base insertion points (depth measured over the surviving base), moved back to sentence ends.
    inserts = []
    for nd, toks in zip(spec.needles, encoded):
        p = table.boundary_before(base[:room], int(round(nd.depth * room))) if nd.depth > 0 else 0
        inserts.append((p, nd, toks))
    inserts.sort(key=lambda x: x[0])
    placed: list[PlacedNeedle] = []
    tmp = Path(str(out_path) + ".partial")
    with open(tmp, "wb") as f:
        cursor = 0
        shift = 0
        for p, nd, toks in inserts:
            for s in range(cursor, p, block):
                np.asarray(base[s:min(p, s + block)]).tofile(f)
            cursor = p
            start = p + shift
            np.asarray(toks, dtype="<u4").tofile(f)
            pos = {v: [start + o for o in _value_offsets(enc, toks, nd.text, v)] for v in nd.values}
            placed.append(PlacedNeedle(nd.text, start, list(toks), pos))
            shift += len(toks)
        for s in range(cursor, room, block):
            np.asarray(base[s:min(room, s + block)]).tofile(f)
    del base
    if os.path.getsize(tmp) != 4 * n:
        raise RuntimeError(f"{out_path}: case file has {os.path.getsize(tmp) // 4} tokens, expected {n}")
    os.replace(tmp, out_path)
    return Case(spec, n, placed)
