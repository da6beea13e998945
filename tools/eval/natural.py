#!/usr/bin/env python3
"""Questions a person asks about real text, asked of proteus-index and of tantivy side by side.

  python3 tools/eval/natural.py $PROTEUS_EVAL_DATA/unique.u32 --questions 200 --out tools/eval/RESULTS-natural.md

The planted needles of run.py test what a needle test can; a person asks about the text itself.
Lines of at least 12 words are drawn from the corpus with a fixed seed, each with its token
range, and turned into two kinds of question:
  - phrase: eight consecutive words of a line, as a person quotes what they remember;
  - terms: the line's three rarest words (by their count in the corpus's first 20M tokens,
    ties in the line's order), as a person types keywords;
  - mixed: the same three words with two rare words of another line among them, as a person
    asks with words the text does not use (answered as terms: the line's three words);
  - question: the same three words in a question's sentence ("Where is A, B and C
    explained?"), whose own words the text need not hold (answered as terms);
  - inflected: the same three words, each that has one in another regular form the corpus
    holds as a word ("handled" for "handling", "interrupt" for "interrupts"), as a person
    asks in their own grammar (answered as terms: the line's three words as it spells them);
  - lowercase: the terms of the lines where one is an acronym or in capitals (two capital
    letters or more: "NUMA", "SIGTERM"), typed in lowercase, as a person types them;
  - named (a corpus of documents, a `.tok` made by `encode`): the same three words after a
    word of the line's file name that the line does not hold ("grep count matching lines" of
    grep's manual), as a person names the program or the topic they ask about (answered as
    terms: the line's three words).
A top-k answer succeeds for a phrase when its text holds the phrase (whitespace aside: any line
that says it will do), and for the other kinds when its text holds the line's three words, as
words, in any case. Three ways of answering, over the same tokens:
  - proteus-index routed (`query --corpus`, the default mode), its index built here;
  - proteus-index `--rescan` (every window: the exact pass's own ceiling);
  - tantivy (BM25, tantivy_baseline.py: 128-token passages every 64 tokens, no stored text), a
    passage being the answer, so its text is longer than ours (at most 112 tokens).
Latency is in-process: `elapsed_ms` of `query --json`, and tantivy's search as its Python
bindings run it (query built, searched, ids read), medians."""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import binary as cli  # noqa: E402
import generate  # noqa: E402
import tantivy_baseline  # noqa: E402

PHRASE_WORDS = 8
TERMS = 3
MIN_LINE_WORDS = 12
COUNT_SAMPLE = 20_000_000  # tokens counted for the words' rarity


@dataclass
class Line:
    start: int  # token range in the corpus
    end: int
    text: str


def draw_lines(tokens: np.ndarray, enc, count: int, seed: int, span: int = 400) -> list[Line]:
    """`count` lines of at least MIN_LINE_WORDS words, from random places of `tokens`: a line is
    cut from the text of `span` tokens (never the first or last, which may be partial), and its
    token range runs from the token holding its first character to the one holding its last."""
    rng = random.Random(seed)
    out: list[Line] = []
    while len(out) < count:
        at = rng.randrange(0, max(1, len(tokens) - span))
        ids = np.asarray(tokens[at:at + span]).tolist()
        try:
            text, offsets = enc.decode_with_offsets(ids)
        except UnicodeDecodeError:  # the span starts or ends inside a character: draw another
            continue
        lines, char = [], 0
        for piece in text.split("\n"):
            lines.append((char, piece))
            char += len(piece) + 1
        whole = [(c, p) for c, p in lines[1:-1] if len(p.split()) >= MIN_LINE_WORDS]
        if not whole:
            continue
        c, piece = rng.choice(whole)
        first = max(i for i, o in enumerate(offsets) if o <= c)
        last = max(i for i, o in enumerate(offsets) if o < c + len(piece))
        out.append(Line(at + first, at + last + 1, piece))
    return out


def phrase_question(line: Line, rng: random.Random) -> str:
    words = line.text.split()
    start = rng.randrange(0, len(words) - PHRASE_WORDS + 1)
    return " ".join(words[start:start + PHRASE_WORDS])


def words_of(text: str) -> list[str]:
    """The keywords a person could type from `text`: runs of letters, digits, '_' and inner
    '-', longer than two characters, in order, once each."""
    found = re.findall(r"[^\W_](?:[\w-]*[^\W_])?", text)
    return list(dict.fromkeys(w for w in found if len(w) > 2))


def terms_question(line: Line, rarity) -> str | None:
    """The line's TERMS rarest words (`rarity(word)`: lower is rarer), None when it has fewer."""
    words = words_of(line.text)
    if len(words) < TERMS:
        return None
    return " ".join(sorted(words, key=rarity)[:TERMS])  # a stable sort: ties keep the line's order


QUESTION_SENTENCES = ("What does the text say about {}?", "Where is {} explained?", "how do {} relate", "Tell me about {}.")


def mixed_question(terms: str, other: Line, rarity) -> str | None:
    """`terms` with the 2nd and 3rd rarest words of `other` that `terms`' line lacks put among them
    (after the second and after the third), None when `other` has too few."""
    words = terms.split()
    foreign = sorted((w for w in words_of(other.text) if w.lower() not in {t.lower() for t in words}), key=rarity)
    if len(foreign) < 3:
        return None
    return " ".join(words[:2] + [foreign[1]] + words[2:] + [foreign[2]])


def sentence_question(terms: str, rng: random.Random) -> str:
    a, b, c = terms.split()
    return rng.choice(QUESTION_SENTENCES).format(f"{a}, {b} and {c}")


def inflections(word: str) -> list[str]:
    """Regular English forms of a lowercase word: plural or third person, -ed, -ing, and back to
    the stem from any of them. Guesses: the caller keeps those the corpus holds as words."""
    if len(word) < 4 or not word.isalpha():
        return []
    stems = {word}
    if word.endswith("ies"):
        stems.add(word[:-3] + "y")
    elif word.endswith("es"):
        stems |= {word[:-2], word[:-1]}
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        stems.add(word[:-1])
    if word.endswith("ied"):
        stems.add(word[:-3] + "y")
    elif word.endswith("ed"):
        stems |= {word[:-2], word[:-1]}
    if word.endswith("ing"):
        stems |= {word[:-3], word[:-3] + "e"}
    forms = set()
    for stem in (s for s in stems if len(s) >= 3):
        forms |= {stem, stem + "s", stem + "es", stem + "ed", stem + "d", stem + "ing"}
        if stem.endswith("y"):
            forms |= {stem[:-1] + "ies", stem[:-1] + "ied"}
        if stem.endswith("e"):
            forms.add(stem[:-1] + "ing")
    return sorted(forms - {word})


def inflected_question(terms: str, known: set[str], rng: random.Random) -> str | None:
    """`terms` with each word that has another form in `known` (lowercase words of the corpus)
    put in one of them, chosen at random; None when no word has one."""
    out, changed = [], False
    for w in terms.split():
        forms = [f for f in inflections(w.lower()) if f in known]
        if forms and w.isalpha():
            f = rng.choice(forms)
            out.append(f.capitalize() if w[0].isupper() else f)
            changed = True
        else:
            out.append(w)
    return " ".join(out) if changed else None


def name_words(name: str) -> list[str]:
    """The words of a document's file name a question may name it by, as the query reads them
    (`DocumentNames`): its last path component up to the first dot, in runs of ASCII letters and
    digits of 3 or more, lowercased."""
    stem = name.rsplit("/", 1)[-1].split(".", 1)[0]
    return [w.lower() for w in re.findall(r"[A-Za-z0-9]{3,}", stem)]


def named_question(terms: str, line: Line, name: str) -> str | None:
    """`terms` after the first word of the line's file name (`name_words`) that neither the
    line nor the terms hold, None when there is none."""
    held = {w.lower() for w in words_of(line.text)} | {t.lower() for t in terms.split()}
    word = next((w for w in name_words(name) if w not in held), None)
    return f"{word} {terms}" if word else None


def lowercase_question(terms: str) -> str | None:
    """`terms` in lowercase when one of them has two capital letters or more ("NUMA", "eBPF"),
    None otherwise: a first letter's case is a spelling the query meets already."""
    return terms.lower() if any(sum(c.isupper() for c in w) >= 2 for w in terms.split()) else None


def normalized(text: str) -> str:
    return " ".join(text.split())


def holds_phrase(text: str, phrase: str) -> bool:
    return normalized(phrase) in normalized(text)


def holds_terms(text: str, terms: str) -> bool:
    """Every keyword is a word of `text` as `words_of` reads words (any case): "-nues" holds
    "nues" (the question took it from there), "sable-lagoon-prime" does not hold "sable-lagoon"."""
    words = {w.lower() for w in words_of(text)}
    return all(w.lower() in words for w in terms.split())


def success_at(results: list[dict], target: str, kind: str, k: int) -> bool:
    """Whether a top-`k` answer holds `target`: the phrase, or the line's three words."""
    holds = holds_phrase if kind == "phrase" else holds_terms
    return any(holds(r["text"], target) for r in results[:k])


def first_success(results: list[dict], target: str, kind: str) -> int | None:
    """The rank of the first answer that succeeds, None when none does."""
    return next((k for k in range(1, len(results) + 1) if success_at(results[k - 1:k], target, kind, 1)), None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="raw little-endian u32 tokens (cl100k_base) of real text, or a .tok of documents "
                    "(`proteus-index encode DIR`), which adds the named kind")
    ap.add_argument("--questions", type=int, default=200, help="questions of each kind")
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--binary", help="proteus-index (default: .build/release/proteus-index)")
    ap.add_argument("--tokenizer", default=str(generate.DEFAULT_RANKS))
    ap.add_argument("--scratch", help="folder for the indexes (default: a temporary one)")
    ap.add_argument("--no-tantivy", action="store_true")
    ap.add_argument("--out", help="RESULTS markdown (a .json beside it)")
    ap.add_argument("--kinds", default="phrase,terms,mixed,question,inflected,lowercase,named",
                    help="the kinds of question asked (named only for a .tok of documents)")
    args = ap.parse_args(argv)

    binary = cli.locate(args.binary, build_if_missing=False)
    enc = generate.load_encoding(args.tokenizer)
    with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
        return run(args, binary, enc, scratch)


def run(args, binary: str, enc, scratch: str) -> int:
    documents = None
    tokens_path = args.corpus
    if args.corpus.endswith(".tok"):
        # The lines are drawn from the same tokens as raw u32; the index and the queries read the .tok.
        tokens_path = f"{scratch}/corpus.u32"
        cli.run([binary, "convert", args.corpus, "-o", tokens_path, "--quiet"])
        table = json.loads(cli.run([binary, "inspect", args.corpus, "--json"]).stdout)["document_table"]
        documents = (np.array([d["start"] for d in table], dtype=np.int64), [d["name"] for d in table])
    tokens = np.memmap(tokens_path, dtype="<u4", mode="r")
    counts = np.bincount(np.asarray(tokens[:COUNT_SAMPLE]), minlength=enc.n_vocab)

    def rarity(word: str) -> int:  # the count of the word's rarest token, spelled after a space
        return int(min(counts[t] for t in enc.encode_ordinary(" " + word)))

    rng = random.Random(args.seed)
    lines = draw_lines(tokens, enc, 2 * args.questions, args.seed)
    # Each kind's (question, target): what is asked, and what an answer must hold.
    asked = {"phrase": [(q, q) for q in (phrase_question(l, rng) for l in lines[:args.questions])]}
    keyed = [(t, other, l) for t, other, l in ((terms_question(l, rarity), o, l) for l, o in zip(lines[args.questions:], lines)) if t]
    asked["terms"] = [(t, t) for t, _, _ in keyed]
    asked["mixed"] = [(q, t) for q, t in ((mixed_question(t, other, rarity), t) for t, other, _ in keyed) if q]
    asked["question"] = [(sentence_question(t, rng), t) for t, _, _ in keyed]
    # The corpus's words, from the text of the tokens counted for rarity.
    known = {w.lower() for w in re.findall(r"[A-Za-z]+", enc.decode(np.asarray(tokens[:COUNT_SAMPLE]).tolist()))}
    asked["inflected"] = [(q, t) for q, t in ((inflected_question(t, known, rng), t) for t, _, _ in keyed) if q]
    asked["lowercase"] = [(q, t) for q, t in ((lowercase_question(t), t) for t, _, _ in keyed) if q]
    if documents is not None:
        starts, names = documents
        asked["named"] = [(q, t) for q, t in ((named_question(t, l, names[int(np.searchsorted(starts, l.start, "right")) - 1]), t)
                                              for t, _, l in keyed) if q]
    asked = {kind: asked[kind] for kind in args.kinds.split(",") if kind in asked}

    index = f"{scratch}/natural.phb"
    built = cli.build(binary, args.corpus, index, tokenizer=args.tokenizer, buffer=32768, chunk_len=65536,
                      per_chunk=4096, span=8, threads=2)
    inspect = json.loads(cli.run([binary, "inspect", index, "--json"]).stdout)
    routing = inspect["routing"]
    tier_bytes = routing["directory_bytes"] + routing["list_bytes"] + routing["pair_filter_bytes"]
    ix = None
    if not args.no_tantivy:
        if why := tantivy_baseline.available():
            sys.exit(f"natural.py: {why} (or --no-tantivy)")
        ix = tantivy_baseline.TantivyIndex(tokens, enc, f"{scratch}/tantivy")
    rows = []
    for kind, pairs in asked.items():
        questions, targets = [q for q, _ in pairs], [t for _, t in pairs]
        qfile = f"{scratch}/{kind}.txt"
        routed, _ = cli.query(binary, index, questions, qfile, args.top, True, ("--corpus", args.corpus))
        rescan, _ = cli.query(binary, index, questions, qfile, args.top, True, ("--rescan", args.corpus))
        methods = {"routed": [a["results"] for a in routed], "rescan": [a["results"] for a in rescan]}
        ms = {"routed": statistics.median(a["elapsed_ms"] for a in routed),
              "rescan": statistics.median(a["elapsed_ms"] for a in rescan)}
        if ix is not None:
            methods["tantivy"] = [ix.search(q, args.top) for q in questions]
            ms["tantivy"] = 1000 * statistics.median(ix.latency(q, args.top, repeats=5) for q in questions)
        row = {"kind": kind, "questions": len(questions),
               "windows_read_median": statistics.median(a["windows_read"] for a in routed),
               "median_ms": ms}
        for name, results in methods.items():
            row[name] = {f"top{k}": sum(success_at(r, t, kind, k) for r, t in zip(results, targets)) / len(questions)
                         for k in (1, args.top)}
            row[name]["first_success"] = [first_success(r, t, kind) for r, t in zip(results, targets)]
        rows.append(row)
    summary = {"corpus": str(Path(args.corpus).name), "tokens": int(len(tokens)), "seed": args.seed, "top": args.top,
               "binary": Path(binary).name, "commit": commit(), "index_bytes": built.get("index_bytes"), "tier_bytes": tier_bytes,
               "tantivy_bytes": ix.nbytes if ix else None, "tantivy_build_seconds": ix.build_seconds if ix else None,
               "build_seconds": built["wall_seconds"], "rows": rows,
               "questions": asked}
    text = report(summary)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
        Path(args.out).with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    return 0


def commit() -> str:
    """The repository's commit, "-dirty" when the tree has changes."""
    p = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=7"], cwd=Path(__file__).parent,
                       capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else "unknown"


def report(s: dict) -> str:
    k = s["top"]
    names = [n for n in ("routed", "rescan", "tantivy") if n in s["rows"][0]]
    head = "| kind | questions | " + " | ".join(f"{n} top-1 / top-{k}" for n in names) + \
           " | windows read (routed, median) | " + " | ".join(f"{n} ms" for n in names) + " |"
    out = [f"# Questions a person asks: {s['corpus']} ({s['tokens']:,} tokens)", "",
           f"`tools/eval/natural.py`, seed {s['seed']}, commit {s['commit']}. Lines of at least {MIN_LINE_WORDS} words drawn "
           f"from the corpus; a phrase question is {PHRASE_WORDS} consecutive words of one, answered when a top-k "
           f"answer's text holds it; a terms question is the {TERMS} rarest words of another, answered when an "
           f"answer holds all {TERMS} as words; mixed puts two rare words of a third line among them, question "
           f"puts them in a question's sentence, inflected in other forms of the words, lowercase types those holding "
           f"a word of two capitals or more in lowercase, named puts a word of the line's file name the line lacks before them "
           f"(all answered as terms; tantivy's passages carry no file name). routed: `query --corpus`; rescan: `query --rescan` (every window); "
           f"tantivy: BM25 over 128-token passages every 64. Latency in-process, medians. "
           f"Index {s['index_bytes']:,} bytes, its routing tier {s['tier_bytes']:,}"
           + (f"; tantivy {s['tantivy_bytes']:,} bytes (no stored text), built in {s['tantivy_build_seconds']:.1f} s"
              if s["tantivy_bytes"] else "") + f"; our build {s['build_seconds']:.1f} s.", "",
           head, "|" + "---|" * (3 + 2 * len(names))]
    for r in s["rows"]:
        cells = [f"{r[n]['top1']:.1%} / {r[n][f'top{k}']:.1%}" for n in names]
        times = [f"{r['median_ms'][n]:.2f}" for n in names]
        out.append(f"| {r['kind']} | {r['questions']} | " + " | ".join(cells) + f" | {r['windows_read_median']:g} | "
                   + " | ".join(times) + " |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
