#!/usr/bin/env python3
"""The "unique" haystack: real English prose that never repeats, from text installed by Debian
packages (tools/eval/install-text.sh installs them; this script installs nothing).

Sources (each optional, read where Debian installs it):
  kernel   linux-doc-6.1   Documentation/**/*.rst.gz and *.txt.gz (translations left out)
  gnucash  gnucash-docs    the GnuCash guide and help, English (DocBook XML)
  gnome    gnome-user-docs the GNOME help, English (Mallard XML)
  jargon   jargon-text     the Jargon File (plain text)
  fortunes fortunes        the fortune cookie files (quotations and jokes, one entry a paragraph)
  kernel-6.12 linux-doc-6.12  the same for kernel 6.12, read after every other source: what the
                           de-duplication leaves of it is the text written or rewritten since 6.1
  gcide    dict-gcide      the Collaborative International Dictionary of English, one entry a paragraph
  wordnet  wordnet-base    WordNet 3.0 glosses and examples, one synset a paragraph
  python   python3.11-doc  the Python 3.11 manual (reStructuredText sources)
  perl     perl-doc        the Perl manual pages (POD)
  postgres postgresql-doc-15  the PostgreSQL 15 manual (HTML)
  handbook debian-handbook the Debian Administrator's Handbook, English edition (HTML)
  django   python-django-doc  the Django manual (HTML; the pages of module source code left out)
  sqlite   sqlite3-doc     the SQLite documentation (HTML)
  octave   octave-doc      the GNU Octave and liboctave manuals (HTML)
  gimp     gimp-help-en    the GIMP user manual, English (HTML)
  apache   apache2-doc     the Apache HTTP Server manual, English pages (HTML)
  rust     rust-doc        the Rust books (book, reference, nomicon, rustc, embedded, by example,
                           edition guide) and the std API documentation (HTML)
  lilypond lilypond-doc-html  the LilyPond manuals, English pages (HTML; generated internals and
                           snippets left out)
  libreoffice libreoffice-help-en-us  the LibreOffice help, English (HTML)
  maxima   maxima-doc      the Maxima manual (HTML)
  sphinx   sphinx-doc      the Sphinx manual (HTML; module source pages left out)
  kicad    kicad-doc-en    the KiCad manuals, English (HTML)

Markup is stripped (reST directives, literal/code blocks, tables, section rules, roles; POD
commands, verbatim blocks and formatting codes; HTML tags, <pre>, tables and scripts; GCIDE
pronunciations, etymologies, source tags and quotation attributions), paragraphs are reflowed
onto one line, paragraphs that do not look like prose (few words, many code characters) are
dropped, and so is every paragraph or sentence of 8+ words already seen (exact match after
whitespace normalisation) and every paragraph holding a 32-token window of an earlier one, so
no passage appears twice. Documents (a file, or a group of
consecutive dictionary entries / synsets) are shuffled with a seed so that any prefix mixes
the sources, tokenized with cl100k_base and written as raw little-endian u32 tokens:

  python3 tools/eval/corpus.py --out $PROTEUS_EVAL_DATA/unique.u32     # + unique.json (manifest)

The manifest records tokens, documents and paragraphs per source, duplicates dropped, the
share of repeated 32-token windows in the output, and the SHA-256 of the token file."""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

KERNEL_DOC = Path("/usr/share/doc/linux-doc-6.1/Documentation")
KERNEL_612_DOC = Path("/usr/share/doc/linux-doc-6.12/Documentation")
HELP_C = Path("/usr/share/help/C")
JARGON_DOC = Path("/usr/share/doc/jargon-text")
FORTUNES_DIR = Path("/usr/share/games/fortunes")
GCIDE_DICT = Path("/usr/share/dictd/gcide.dict.dz")
WORDNET_DIR = Path("/usr/share/wordnet")
PYTHON_DOC = Path("/usr/share/doc/python3.11/html/_sources")
PERL_POD = Path("/usr/share/perl/5.36.0/pod")
POSTGRES_DOC = Path("/usr/share/doc/postgresql-doc-15/html")
HANDBOOK_DOC = Path("/usr/share/doc/debian-handbook/html/en-US")
DJANGO_DOC = Path("/usr/share/doc/python-django-doc/html")
SQLITE_DOC = Path("/usr/share/doc/sqlite3")
OCTAVE_DOC = Path("/usr/share/doc/octave")
GIMP_DOC = Path("/usr/share/gimp/2.0/help/en")
APACHE_DOC = Path("/usr/share/doc/apache2-doc/manual/en")
RUST_DOC = Path("/usr/share/doc/rust-doc/html")
LILYPOND_DOC = Path("/usr/share/doc/lilypond/html/Documentation")
LIBREOFFICE_DOC = Path("/usr/share/libreoffice/help/en-US")
MAXIMA_DOC = Path("/usr/share/doc/maxima-doc/html")
SPHINX_DOC = Path("/usr/share/doc/sphinx-doc/html")
KICAD_DOC = Path("/usr/share/doc/kicad/help/en")
SOURCES = ("kernel", "gcide", "wordnet", "python", "perl", "postgres", "handbook", "django", "sqlite", "octave",
           "gimp", "apache", "rust", "lilypond", "libreoffice", "maxima", "sphinx", "kicad", "gnucash", "gnome",
           "jargon", "fortunes", "kernel-6.12")
PACKAGES = {"kernel": "linux-doc-6.1", "gcide": "dict-gcide", "wordnet": "wordnet-base", "python": "python3.11-doc",
            "perl": "perl-doc", "postgres": "postgresql-doc-15", "handbook": "debian-handbook",
            "django": "python-django-doc", "sqlite": "sqlite3-doc", "octave": "octave-doc", "gimp": "gimp-help-en",
            "apache": "apache2-doc", "rust": "rust-doc", "lilypond": "lilypond-doc-html",
            "libreoffice": "libreoffice-help-en-us", "maxima": "maxima-doc", "sphinx": "sphinx-doc",
            "kicad": "kicad-doc-en", "gnucash": "gnucash-docs", "gnome": "gnome-user-docs", "jargon": "jargon-text",
            "fortunes": "fortunes", "kernel-6.12": "linux-doc-6.12"}
DEFAULT_OUT = Path(os.environ.get("PROTEUS_EVAL_DATA", Path.home() / ".cache" / "proteus-eval")) / "unique.u32"

# ---------------------------------------------------------------------------------------------
# reStructuredText (and the kernel's plain .txt files) → prose paragraphs

_ADMONITIONS = {"note", "warning", "important", "tip", "hint", "attention", "caution", "danger",
                "admonition", "seealso", "error"}
_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([\w:-]+)::\s*(.*)$")
_COMMENT = re.compile(r"^(\s*)\.\.(\s|$)")
_ADORNMENT = re.compile(r"^\s*([=\-~^*#+`'\".:_<>])\1{2,}\s*$")
_TABLE = re.compile(r"^\s*([+|]|=+(\s+=+)+\s*$)")
_FIELD = re.compile(r"^\s*:[\w][\w .-]*:(\s|$)")
_BULLET = re.compile(r"^\s*(?:[-*+•]|#\.|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")

_INLINE = [
    (re.compile(r":[\w:+.-]+:`([^`<]*?)\s*(?:<[^`>]*>)?`"), r"\1"),   # :role:`text <target>`
    (re.compile(r"``([^`]+)``"), r"\1"),                             # ``literal``
    (re.compile(r"`([^`<]+?)\s*<[^`>]*>`__?"), r"\1"),                # `text <url>`_
    (re.compile(r"`([^`]+)`_{0,2}"), r"\1"),                         # `ref`_ or `interpreted`
    (re.compile(r"\*\*([^*]+)\*\*"), r"\1"),                         # **strong**
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])"), r"\1"),   # *emphasis*
    (re.compile(r"\[(?:#\w*|\d+|\*)\]_"), ""),                       # footnote references
    (re.compile(r"(?<=\w)_(?=[\s.,;:)]|$)"), ""),                    # name_ references
    (re.compile(r"\|(\w[\w -]*)\|"), r"\1"),                          # |substitutions|
    (re.compile(r"\\(.)"), r"\1"),                                   # backslash escapes
]
_WS = re.compile(r"\s+")


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def inline(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return _WS.sub(" ", text).strip()


def rst_paragraphs(text: str) -> list[str]:
    """Reflowed paragraphs of a reST (or plain text) document with markup, code and tables removed
    (prose filtering is left to `looks_like_prose`)."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str | None] = []   # None marks a paragraph break
    skip_deeper_than: int | None = None
    literal_next = False
    para_indent = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            kept.append(None)
            continue
        ind = _indent(line)
        if skip_deeper_than is not None:
            if ind > skip_deeper_than:
                continue
            skip_deeper_than = None
        if literal_next:  # the block after a paragraph ending in "::" is code
            literal_next = False
            if ind > para_indent:
                skip_deeper_than = para_indent
                continue
        m = _DIRECTIVE.match(line)
        if m:
            kept.append(None)
            if m.group(2).lower() in _ADMONITIONS:  # keep the body, which is prose
                if m.group(3):
                    kept.append(m.group(3))
            else:
                skip_deeper_than = ind
            continue
        if _COMMENT.match(line):
            kept.append(None)
            skip_deeper_than = ind
            continue
        if _ADORNMENT.match(line) or _TABLE.match(line) or _FIELD.match(line):
            kept.append(None)
            continue
        if line.startswith("\t") or ind >= 8 and (not kept or kept[-1] is None):
            # a paragraph that starts deeply indented is a code or diagram block in these docs
            kept.append(None)
            skip_deeper_than = ind - 1
            continue
        if _BULLET.match(line):
            kept.append(None)
            line = _BULLET.sub("", line, count=1)
        if not kept or kept[-1] is None:
            para_indent = ind
        stripped = line.strip()
        if stripped.endswith("::"):
            literal_next = True
            stripped = stripped[:-1] if not stripped.endswith(" ::") else stripped[:-3]
        kept.append(stripped)
    out, cur = [], []
    for piece in kept + [None]:
        if piece is None:
            if cur:
                out.append(inline(" ".join(cur)))
                cur = []
        else:
            cur.append(piece)
    return [p for p in out if p]


_WORD = re.compile(r"[A-Za-z]+")
_CODE_CHARS = set("{}[]<>=;|\\/_$#@%&*^~`+")


def looks_like_prose(p: str, min_words: int = 8) -> bool:
    """Enough words, mostly letters, few code characters, mostly lower-case words."""
    words = _WORD.findall(p)
    if len(words) < min_words:
        return False
    chars = [c for c in p if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    code = sum(c in _CODE_CHARS for c in chars)
    lower = sum(w.islower() for w in words)
    return letters >= 0.72 * len(chars) and code <= 0.04 * len(chars) and lower >= 0.5 * len(words)


# ---------------------------------------------------------------------------------------------
# POD and HTML → paragraphs

_POD_CODE = re.compile(r"[A-Z]<([^<>]*)>")
_POD_CODE_WIDE = re.compile(r"[A-Z]<<+\s(.*?)\s>>+")
_POD_ESCAPES = {"lt": "<", "gt": ">", "verbar": "|", "sol": "/", "quot": '"', "amp": "&"}


def _pod_inline(text: str) -> str:
    text = _POD_CODE_WIDE.sub(lambda m: m.group(1), text)
    while True:
        new = _POD_CODE.sub(lambda m: _pod_code(m.group(0)[0], m.group(1)), text)
        if new == text:
            return _WS.sub(" ", text).strip()
        text = new


def _pod_code(kind: str, body: str) -> str:
    if kind in "XZ":
        return ""
    if kind == "E":
        return _POD_ESCAPES.get(body, "")
    if kind == "L":
        return body.split("|", 1)[0] if "|" in body else body.split("/")[-1].strip('"')
    return body


def pod_paragraphs(text: str) -> list[str]:
    """Ordinary paragraphs of a POD document (commands, verbatim blocks and =begin regions out)."""
    out, skipping = [], False
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        if not block.strip():
            continue
        if block.startswith("="):
            cmd = block.split(None, 1)[0]
            if cmd in ("=begin", "=for"):
                skipping = cmd == "=begin"
            elif cmd == "=end":
                skipping = False
            elif cmd == "=item":
                rest = block.split(None, 1)[1] if len(block.split(None, 1)) > 1 else ""
                rest = re.sub(r"^[*\d.]+\s*", "", rest)
                if rest:
                    out.append(_pod_inline(rest))
            continue
        if skipping or block[0] in " \t":
            continue
        out.append(_pod_inline(block))
    return [p for p in out if p]


def html_paragraphs(text: str) -> list[str]:
    """Text of the block elements of an HTML page: a paragraph ends at every block tag; <pre>,
    tables, scripts, styles, navigation headers and footers are left out."""
    from html.parser import HTMLParser

    blocks = {"p", "div", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "br", "ul", "ol",
              "dl", "section", "article", "td", "th", "tr", "title", "hr", "figure", "caption",
              "para", "simpara", "listitem", "item", "term", "note", "tip", "warning", "sect1", "sect2", "sect3",
              "chapter", "varlistentry", "step", "terms", "list", "steps"}  # DocBook and Mallard too
    skip = {"pre", "script", "style", "table", "head", "nav", "code-block", "svg", "math",
            "programlisting", "screen", "literallayout", "synopsis", "indexterm", "info", "informaltable",
            "screenshot", "mediaobject", "figure-title"}

    class P(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.out, self.cur, self.depth = [], [], 0

        def flush(self):
            if self.cur:
                self.out.append(_WS.sub(" ", "".join(self.cur).replace("¶", "")).strip())
                self.cur = []

        def handle_starttag(self, tag, attrs):
            cls = dict(attrs).get("class") or ""
            if tag in skip or (tag == "div" and any(c in cls.split() for c in ("navheader", "navfooter", "toc"))):
                self.flush()
                self.depth += 1 if tag not in ("br", "hr") else 0
                self._skip_tag = getattr(self, "_skip_tag", []) + [tag]
            elif tag in blocks:
                self.flush()

        def handle_endtag(self, tag):
            stack = getattr(self, "_skip_tag", [])
            if stack and stack[-1] == tag:
                stack.pop()
                self.depth -= 1
                return
            if tag in blocks:
                self.flush()

        def handle_data(self, data):
            if self.depth == 0:
                self.cur.append(data)

    p = P()
    p.feed(text)
    p.close()
    p.flush()
    return [x for x in p.out if x]


# ---------------------------------------------------------------------------------------------
# GCIDE (dictd format) and WordNet

_PRON = re.compile(r"\\[^\\\n]*\\")
_BRACKET = re.compile(r"\[[^\[\]]*\]")
_BRACE = re.compile(r"\{([^{}]*)\}")
_ATTRIB = re.compile(r"\s*--\s*[A-Z].*$")


def gcide_paragraph(entry: str) -> str:
    """One dictionary entry as a line of prose: headword and part of speech, definitions and
    quotations; pronunciation, etymology, [source] tags and --Author attributions removed."""
    lines = [_ATTRIB.sub("", ln) for ln in entry.split("\n")]
    text = " ".join(ln.strip() for ln in lines if ln.strip())
    text = _PRON.sub("", text)
    while True:
        stripped = _BRACKET.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = _BRACE.sub(r"\1", text).replace("{", "").replace("}", "")
    text = _WS.sub(" ", text)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r"([,;])\1+", r"\1", text)
    return text.strip(" ,;")


def gcide_entries(path: Path = GCIDE_DICT) -> Iterator[str]:
    """Raw entries of the dictd file: a headword at column 0 after a blank line starts one."""
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        text = f.read()
    cur: list[str] = []
    prev_blank = True
    for line in text.split("\n"):
        if line and not line[0].isspace() and prev_blank and cur:
            yield "\n".join(cur)
            cur = []
        if line.strip() or cur:
            cur.append(line)
        prev_blank = not line.strip()
    if cur:
        yield "\n".join(cur)


_POS = {"n": "noun", "v": "verb", "a": "adjective", "s": "adjective", "r": "adverb"}


def wordnet_glosses(directory: Path = WORDNET_DIR) -> Iterator[tuple[str, str]]:
    """(lexicographer file, paragraph) per synset: 'lemma, lemma (noun): gloss; "example".'"""
    for part in ("noun", "verb", "adj", "adv"):
        with open(directory / f"data.{part}", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:
                    continue
                head, gloss = line.split(" | ", 1)
                fields = head.split()
                lexfile, pos, count = fields[1], fields[2], int(fields[3], 16)
                words = [re.sub(r"\([a-z]+\)$", "", w).replace("_", " ") for w in fields[4:4 + 2 * count:2]]
                words = list(dict.fromkeys(words))
                gloss = gloss.strip()
                if not gloss.endswith((".", "!", "?", '"')):
                    gloss += "."
                yield f"{part}.{lexfile}", f"{', '.join(words)} ({_POS.get(pos, pos)}): {gloss}"


def wordnet_lemmas(part: str, directory: Path = WORDNET_DIR, pattern: str = r"[a-z]{3,10}") -> list[str]:
    """Single-word lower-case lemmas of one part of speech (index.noun, index.adj, ...), sorted."""
    rx = re.compile(pattern)
    out = []
    with open(directory / f"index.{part}", encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(" "):
                continue
            lemma = line.split(" ", 1)[0]
            if rx.fullmatch(lemma):
                out.append(lemma)
    return sorted(set(out))


# ---------------------------------------------------------------------------------------------
# Documents, duplicates, output

@dataclass
class Document:
    source: str
    name: str
    paragraphs: list[str]


@dataclass
class SourceStats:
    documents: int = 0
    paragraphs: int = 0
    raw_paragraphs: int = 0
    not_prose: int = 0
    duplicate_paragraphs: int = 0
    duplicate_sentences: int = 0
    duplicate_windows: int = 0     # paragraphs dropped for repeating a 32-token window
    tokens: int = 0
    characters: int = 0


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z0-9])")


class Deduper:
    """Drops every paragraph already seen and every sentence of `min_words`+ words already seen
    (exact match after whitespace normalisation; 16-byte BLAKE2 digests keep memory small)."""

    def __init__(self, min_words: int = 8):
        self.seen: set[bytes] = set()
        self.min_words = min_words

    def _new(self, text: str) -> bool:
        d = hashlib.blake2b(text.encode(), digest_size=16).digest()
        if d in self.seen:
            return False
        self.seen.add(d)
        return True

    def filter(self, paragraph: str, stats: SourceStats) -> str | None:
        p = _WS.sub(" ", paragraph).strip()
        if not self._new("P" + p):
            stats.duplicate_paragraphs += 1
            return None
        out = []
        for s in _SENTENCE.split(p):
            if len(_WORD.findall(s)) >= self.min_words and not self._new("S" + s):
                stats.duplicate_sentences += 1
                continue
            out.append(s)
        return " ".join(out) if out else None


def _kernel_docs(root: Path) -> Iterator[tuple[str, str]]:
    files = sorted(p for p in root.rglob("*") if p.name.endswith((".rst.gz", ".txt.gz"))
                   and "translations" not in p.relative_to(root).parts)
    for p in files:
        with gzip.open(p, "rt", encoding="utf-8", errors="replace") as f:
            yield str(p.relative_to(root)), f.read()


def _python_docs(root: Path) -> Iterator[tuple[str, str]]:
    for p in sorted(root.rglob("*.rst.txt")):
        yield str(p.relative_to(root)), p.read_text(encoding="utf-8", errors="replace")


HTML_SOURCES = {"postgres": (POSTGRES_DOC, "*.html"), "handbook": (HANDBOOK_DOC, "*.html"),
                "django": (DJANGO_DOC, "**/*.html"), "sqlite": (SQLITE_DOC, "**/*.html"),
                "octave": (OCTAVE_DOC, "*.html/*.html"), "gimp": (GIMP_DOC, "*.html"), "apache": (APACHE_DOC, "**/*.html"),
                "rust": (RUST_DOC, "{book,reference,nomicon,rustc,embedded-book,rust-by-example,edition-guide,std}/**/*.html"),
                "lilypond": (LILYPOND_DOC, "{essay,learning,notation,usage,extending,contributor,music-glossary,web,changes}/*.html"),
                "libreoffice": (LIBREOFFICE_DOC, "text/**/*.html"), "maxima": (MAXIMA_DOC, "*.html"),
                "sphinx": (SPHINX_DOC, "**/*.html"), "kicad": (KICAD_DOC, "*.html"),
                "gnucash": (HELP_C, "{gnucash-guide,gnucash-help}/*.xml"), "gnome": (HELP_C, "gnome-help/*.page")}
_GNUCASH_ENTITIES = {"app": "GnuCash", "appname": "GnuCash", "app-fq": "GnuCash Finance Management", "mac": "macOS"}


def docbook_paragraphs(text: str) -> list[str]:
    """HTML-style paragraphs of DocBook XML; GnuCash's own entities expanded, unknown ones removed."""
    text = re.sub(r"&([a-z][\w-]*);", lambda m: _GNUCASH_ENTITIES.get(m.group(1), m.group(0)), text)
    return [re.sub(r"&[a-z][\w-]*;", "", p) for p in html_paragraphs(text)]
_LANGUAGE_PAGE = re.compile(r"\.[a-z]{2}(_[A-Z]{2})?\.html$")  # LilyPond's translated pages (x.de.html)
_SKIP_PAGES = {"_modules", "_static", "_images", "genindex.html", "py-modindex.html", "search.html"}


def _glob(root: Path, pattern: str) -> list[Path]:
    m = re.match(r"\{([^}]*)\}(.*)", pattern)
    if m:
        return [p for sub in m.group(1).split(",") for p in _glob(root, sub + m.group(2))]
    return list(root.glob(pattern))


def fortune_paragraphs(text: str) -> list[str]:
    """One paragraph per fortune (entries end at a line holding only '%'), lines reflowed."""
    return [_WS.sub(" ", e).strip() for e in re.split(r"\n%\n", text.replace("\r\n", "\n")) if e.strip()]


def _fortune_files(root: Path) -> Iterator[tuple[str, str]]:
    for p in sorted(root.iterdir()):
        if p.is_file() and not p.is_symlink() and "." not in p.name:
            yield p.name, p.read_text(encoding="utf-8", errors="replace")


def _files(root: Path, pattern: str) -> Iterator[tuple[str, str]]:
    for p in sorted(set(_glob(root, pattern))):
        if (_SKIP_PAGES & set(p.relative_to(root).parts) or p.name.startswith("XREF")  # Octave's redirect stubs
                or p.name == "print.html" or _LANGUAGE_PAGE.search(p.name)):  # mdBook's all-in-one page, translations
            continue
        yield str(p.relative_to(root)), p.read_text(encoding="utf-8", errors="replace")


def _grouped(items: Iterable[tuple[str, str]], size: int) -> Iterator[tuple[str, list[str]]]:
    """Consecutive (group key, paragraph) items in groups of at most `size` sharing a key."""
    cur: list[str] = []
    key, n = None, 0
    for k, para in items:
        if cur and (k != key or len(cur) >= size):
            yield f"{key}#{n}", cur
            cur, n = [], n + 1
        key = k
        cur.append(para)
    if cur:
        yield f"{key}#{n}", cur


def documents(sources: Iterable[str], stats: dict[str, SourceStats], dedupe: Deduper,
              group: int = 64) -> Iterator[Document]:
    """Cleaned, de-duplicated documents of each requested source, in a fixed order."""
    for source in sources:
        st = stats.setdefault(source, SourceStats())
        if source in ("kernel", "kernel-6.12", "python"):
            raw = ((name, rst_paragraphs(text)) for name, text in
                   (_python_docs(PYTHON_DOC) if source == "python" else
                    _kernel_docs(KERNEL_DOC if source == "kernel" else KERNEL_612_DOC)))
            min_words = 6
        elif source in HTML_SOURCES or source == "perl":  # noqa: SIM114
            root, pattern, parse = (PERL_POD, "*.pod", pod_paragraphs) if source == "perl" else \
                (*HTML_SOURCES[source], docbook_paragraphs if source == "gnucash" else html_paragraphs)
            raw = ((name, parse(text)) for name, text in _files(root, pattern))
            min_words = 6
        elif source == "jargon":
            with gzip.open(JARGON_DOC / "jargon.txt.gz", "rt", encoding="utf-8", errors="replace") as f:
                raw = iter([("jargon.txt", rst_paragraphs(f.read()))])
            min_words = 6
        elif source == "fortunes":
            raw = _grouped(((name, p) for name, text in _fortune_files(FORTUNES_DIR) for p in fortune_paragraphs(text)),
                           group)
            min_words = 6
        elif source == "gcide":
            entries = (("gcide", gcide_paragraph(e)) for e in gcide_entries(GCIDE_DICT)
                       if not e.startswith("00-database"))
            raw = _grouped(entries, group)
            min_words = 4
        elif source == "wordnet":
            raw = _grouped(wordnet_glosses(WORDNET_DIR), group)
            min_words = 4
        else:
            raise ValueError(f"unknown source {source!r}")
        for name, paras in raw:
            kept = []
            for p in paras:
                st.raw_paragraphs += 1
                if not looks_like_prose(p, min_words):
                    st.not_prose += 1
                    continue
                q = dedupe.filter(p, st)
                if q is not None and looks_like_prose(q, min_words):
                    kept.append(q)
            if kept:
                st.documents += 1
                st.paragraphs += len(kept)
                yield Document(source, name, kept)


def missing_sources(sources: Iterable[str]) -> list[str]:
    where = {"kernel": KERNEL_DOC, "kernel-6.12": KERNEL_612_DOC, "gcide": GCIDE_DICT,
             "wordnet": WORDNET_DIR / "data.noun", "python": PYTHON_DOC,
             "perl": PERL_POD, "postgres": POSTGRES_DOC, "handbook": HANDBOOK_DOC, "django": DJANGO_DOC,
             "sqlite": SQLITE_DOC / "index.html", "octave": OCTAVE_DOC / "octave.html", "gimp": GIMP_DOC,
             "apache": APACHE_DOC, "rust": RUST_DOC / "std", "lilypond": LILYPOND_DOC, "libreoffice": LIBREOFFICE_DOC,
             "maxima": MAXIMA_DOC, "sphinx": SPHINX_DOC, "kicad": KICAD_DOC, "gnucash": HELP_C / "gnucash-guide",
             "gnome": HELP_C / "gnome-help", "jargon": JARGON_DOC / "jargon.txt.gz", "fortunes": FORTUNES_DIR / "fortunes"}
    return [f"{s} ({where[s]})" for s in sources if not where[s].exists()]


def repeated_window_share(tokens, width: int = 32) -> float:
    """Share of `width`-token windows (every position) whose content occurs more than once."""
    import numpy as np

    h = window_hashes(tokens, width)
    if len(h) == 0:
        return 0.0
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    return float((counts[inverse] > 1).mean())


def window_hashes(tokens, width: int):
    """A 64-bit polynomial hash of every `width`-token window (wrapping uint64 arithmetic)."""
    import numpy as np

    t = np.asarray(tokens, dtype=np.uint64)
    m = len(t) - width + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            h = h * mult + t[k:m + k] + np.uint64(1)
    return h


def repeated_paragraphs(para_tokens: list, width: int = 32):
    """Indices of paragraphs holding a `width`-token window already seen in an earlier paragraph
    (windows inside one paragraph; paragraphs in the order given)."""
    import numpy as np

    lens = np.array([len(p) for p in para_tokens], dtype=np.int64)
    flat = np.concatenate([np.asarray(p, dtype=np.int64) for p in para_tokens]) if len(lens) else np.zeros(0, np.int64)
    h = window_hashes(flat, width)
    if len(h) == 0:
        return np.zeros(0, dtype=np.int64)
    pid = np.repeat(np.arange(len(lens)), lens)
    inside = pid[:len(h)] == pid[width - 1:]              # the window lies in one paragraph
    h, owner = h[inside], pid[:len(h)][inside]
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    repeat = first[inverse] != np.arange(len(h))          # not the first occurrence of its window
    return np.unique(owner[repeat])


def build(out: Path, sources: list[str], seed: int, tokenizer: str | None = None, threads: int = 2,
          window: int = 32) -> dict:
    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate

    enc = generate.load_encoding(tokenizer or generate.DEFAULT_RANKS)
    stats: dict[str, SourceStats] = {}
    t0 = time.perf_counter()
    docs = list(documents(sources, stats, Deduper()))
    clean_seconds = time.perf_counter() - t0
    order = np.random.default_rng(seed).permutation(len(docs))
    # every paragraph is encoded with its "\n\n" (a pre-token boundary, so the concatenation is the
    # document's encoding), then paragraphs repeating a 32-token window of an earlier one are dropped
    t0 = time.perf_counter()
    paras = [(int(i), p) for i in order for p in docs[i].paragraphs]
    encoded = enc.encode_ordinary_batch([p + "\n\n" for _, p in paras], num_threads=threads)
    encode_seconds = time.perf_counter() - t0
    drop = set(repeated_paragraphs(encoded, window).tolist())
    for k in drop:
        stats[docs[paras[k][0]].source].duplicate_windows += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    table: list[dict] = []
    pos = 0
    digest = hashlib.sha256()
    with open(tmp, "wb") as f:
        k = 0
        while k < len(paras):
            i = paras[k][0]
            d = docs[i]
            start = pos
            kept = 0
            while k < len(paras) and paras[k][0] == i:
                if k not in drop:
                    arr = np.asarray(encoded[k], dtype="<u4")
                    f.write(arr.tobytes())
                    digest.update(arr.tobytes())
                    pos += len(arr)
                    stats[d.source].characters += len(paras[k][1])
                    kept += 1
                k += 1
            st = stats[d.source]
            st.tokens += pos - start
            if pos > start:
                table.append({"source": d.source, "name": d.name, "start": start, "tokens": pos - start})
    os.replace(tmp, out)
    for s_, st in stats.items():
        st.paragraphs -= st.duplicate_windows
    tokens = np.fromfile(out, dtype="<u4")
    manifest = {
        "tokens": int(pos), "sha256": digest.hexdigest(), "seed": seed, "tokenizer": "cl100k_base",
        "sources": {s: vars(v) for s, v in stats.items()},
        "repeated_32_token_windows": repeated_window_share(tokens, 32),
        "repeated_16_token_windows": repeated_window_share(tokens, 16),
        "clean_seconds": clean_seconds, "encode_seconds": encode_seconds,
        "packages": {s: PACKAGES[s] for s in sources},
    }
    out.with_suffix(".json").write_text(json.dumps(manifest | {"documents": table}, indent=1))
    return manifest


def load_tokens(path: os.PathLike | str, length: int):
    """The first `length` tokens of a unique-text token file, as a read-only memmap; a clear
    error when the file is missing or shorter than asked (never repeated to fit)."""
    import numpy as np

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no unique-text token file; run `bash tools/eval/install-text.sh` and "
                                f"`python3 tools/eval/corpus.py --out {p}` first")
    have = p.stat().st_size // 4
    if have < length:
        raise ValueError(f"{p} holds {have:,} tokens of unique text, fewer than the {length:,} asked; "
                         f"the unique haystack is never repeated (use --haystack synthetic for longer ones)")
    return np.memmap(p, dtype="<u4", mode="r")[:length]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=str(DEFAULT_OUT), help="u32 token file (a .json manifest is written beside it)")
    p.add_argument("--sources", default=",".join(SOURCES), help="comma list of: " + ", ".join(SOURCES))
    p.add_argument("--seed", type=int, default=20240520, help="document shuffle")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--tokenizer", default=None, help="cl100k_base rank file (default: the bundled one)")
    a = p.parse_args(argv)
    sources = [s for s in a.sources.split(",") if s]
    for s in sources:
        if s not in SOURCES:
            p.error(f"unknown source {s!r}")
    missing = missing_sources(sources)
    if missing:
        print("corpus.py: missing " + ", ".join(missing) + ": run `bash tools/eval/install-text.sh` "
              "(or choose --sources)", file=sys.stderr)
        return 66
    m = build(Path(a.out), sources, a.seed, a.tokenizer, a.threads)
    for s, st in m["sources"].items():
        print(f"{s:8s} {st['tokens']:>12,} tokens  {st['documents']:>7,} documents  {st['paragraphs']:>9,} paragraphs  "
              f"(dropped: {st['not_prose']:,} not prose, {st['duplicate_paragraphs']:,} duplicate paragraphs, "
              f"{st['duplicate_sentences']:,} duplicate sentences, {st['duplicate_windows']:,} repeating a 32-token window)")
    print(f"total    {m['tokens']:>12,} tokens → {a.out}; repeated 32-token windows: "
          f"{100 * m['repeated_32_token_windows']:.3f}%, 16-token: {100 * m['repeated_16_token_windows']:.3f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
