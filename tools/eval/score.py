"""Scoring: ranking success at k (the expected values are readable from the top-k results)
and retention (every token carrying an expected value is inside the index), kept apart."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _contains(haystack: list[int], needle: list[int]) -> bool:
    n = len(needle)
    if n == 0:
        return True
    for i in range(len(haystack) - n + 1):
        if haystack[i:i + n] == needle:
            return True
    return False


def contiguous_runs(results: list[dict]) -> list[list[int]]:
    """Token runs readable from a set of results: results whose [start, end) ranges touch or
    overlap are merged in position order, so an answer split across adjacent spans counts."""
    items = sorted(((int(r["start"]), list(r.get("token_ids") or [])) for r in results), key=lambda x: x[0])
    runs: list[tuple[int, list[int]]] = []
    for start, toks in items:
        if runs and start <= runs[-1][0] + len(runs[-1][1]):
            rs, rt = runs[-1]
            overlap = rs + len(rt) - start
            if overlap < len(toks):
                rt.extend(toks[overlap:])
        else:
            runs.append((start, list(toks)))
    return [t for _, t in runs]


def value_found(results: list[dict], value: str, value_tokens: list[int], enc=None) -> bool:
    """True when `value` is in one result's text or token ids, or in a contiguous run of them."""
    want = _norm(value)
    for r in results:
        if want and want in _norm(r.get("text", "")):
            return True
        if value_tokens and _contains(list(r.get("token_ids") or []), value_tokens):
            return True
    for run in contiguous_runs(results):
        if value_tokens and _contains(run, value_tokens):
            return True
        if enc is not None and want in _norm(enc.decode(run)):
            return True
    return False


def success_at(results: list[dict], k: int, expected: list[tuple[str, list[int]]], enc=None,
               positions: list[list[int]] | None = None) -> bool:
    """All expected (value, value token ids) pairs must be readable from the top-k results. With
    `positions` (each value's absolute token positions) the value must also be read at the
    needle itself, not matched by chance elsewhere (a 2-digit number or a common word occurs
    all over a long haystack, and a huge span would "contain" it)."""
    top = [r for i, r in enumerate(results) if int(r.get("rank", i + 1)) <= k]
    if not all(value_found(top, v, t, enc) for v, t in expected):
        return False
    if positions is None:
        return True
    spans = np.array([[int(r["start"]), int(r["end"])] for r in top], dtype=np.int64).reshape(-1, 2)
    return all(covered(p, spans) for p in positions)


def covered(positions: list[int], spans: np.ndarray) -> bool:
    """True when every position lies in one of `spans` (an (n, 2) array of [start, end))."""
    if len(positions) == 0:
        return True
    if len(spans) == 0:
        return False
    order = np.argsort(spans[:, 0], kind="stable")
    starts, ends = spans[order, 0], np.maximum.accumulate(spans[order, 1])
    p = np.asarray(positions, dtype=np.int64)
    i = np.searchsorted(starts, p, side="right") - 1
    return bool(np.all((i >= 0) & (ends[np.maximum(i, 0)] > p)))


def retained(expected_positions: list[list[int]], spans: np.ndarray) -> bool:
    """Every expected value's tokens are inside the index (independent of ranking)."""
    return all(covered(p, spans) for p in expected_positions)


@dataclass
class CaseScore:
    retention: bool
    top1: bool
    top5: bool
    top5_chance: bool = False  # the values' text is in the top 5, but not read at the needle
    recall5: float = 0.0       # share of the expected values recovered at the needle in the top 5


def score_case(results: list[dict], all_spans: np.ndarray, expected: list[tuple[str, list[int]]],
               expected_positions: list[list[int]], enc=None) -> CaseScore:
    top5 = success_at(results, 5, expected, enc, expected_positions)
    chance = not top5 and success_at(results, 5, expected, enc)
    found = [success_at(results, 5, [e], enc, [p]) for e, p in zip(expected, expected_positions)]
    return CaseScore(retained(expected_positions, all_spans), success_at(results, 1, expected, enc, expected_positions),
                     top5, chance, sum(found) / len(found) if found else 0.0)
