import gzip

import numpy as np
import pytest

import corpus

RST = """.. SPDX-License-Identifier: GPL-2.0

==============
Memory Gadgets
==============

:Author: Someone <a@b.c>

This document describes how the memory gadget keeps track of pages in the system, with
:ref:`the reclaim path <reclaim>` and ``struct gadget`` described below.

An example follows::

    int x = gadget_alloc(42);
    return x;

.. code-block:: c

   static int hidden_in_a_directive(void);

.. note::

   Notes are prose and stay in the text even though they sit inside a directive.

+--------+--------+
| table  | cells  |
+--------+--------+

- A bullet item that is long enough to be counted as a sentence of prose here.
"""


def test_rst_keeps_prose_and_drops_code_tables_and_markup():
    paras = corpus.rst_paragraphs(RST)
    text = "\n".join(paras)
    assert ("This document describes how the memory gadget keeps track of pages in the system, with the reclaim "
            "path and struct gadget described below.") in paras
    assert "Notes are prose and stay in the text even though they sit inside a directive." in paras
    assert "A bullet item that is long enough to be counted as a sentence of prose here." in paras
    for gone in ("gadget_alloc", "hidden_in_a_directive", "SPDX", "=====", "table", "Someone", ":ref:", "``"):
        assert gone not in text
    assert "An example follows:" in paras  # the "::" marker becomes one colon


def test_pod_and_html():
    pod = ("=head1 NAME\n\nperlthing - a thing\n\n=head1 DESCRIPTION\n\nThe C<thing> function returns "
           "B<all> the L<values|perlfunc/values> it was given, E<lt>in orderE<gt>.\n\n    my $x = thing();\n\n"
           "=begin html\n\n<p>hidden</p>\n\n=end html\n\n=item * An item that reads as prose.\n")
    assert corpus.pod_paragraphs(pod) == ["perlthing - a thing",
                                          "The thing function returns all the values it was given, <in order>.",
                                          "An item that reads as prose."]
    html = ("<html><head><title>t</title><style>p{}</style></head><body><div class='navheader'>Prev Next</div>"
            "<p>First <code>para</code> of text&amp;more¶</p><pre>code block</pre><table><tr><td>cell</td></tr>"
            "</table><ul><li>one item</li><li>two</li></ul><script>var x;</script></body></html>")
    assert corpus.html_paragraphs(html) == ["First para of text&more", "one item", "two"]


def test_gcide_entry_and_wordnet_gloss(tmp_path):
    entry = ("Affect \\Af*fect\"\\, v. t. [imp. & p. p. {Affected}.] [L. affectus.]\n"
             "   1. To act upon; to produce an effect or change upon.\n      [1913 Webster]\n\n"
             "            The climate affected their health and spirits.\n"
             "                                                  --Macaulay.\n      [1913 Webster]")
    assert corpus.gcide_paragraph(entry) == ("Affect, v. t. 1. To act upon; to produce an effect or change upon. "
                                             "The climate affected their health and spirits.")
    (tmp_path / "data.noun").write_text(
        "  1 This software and database is being provided\n"
        "00596193 04 n 02 praetorship 0 praetor_ship 0 002 @ 00586262 n 0000 | the office of praetor  \n")
    for part in ("verb", "adj", "adv"):
        (tmp_path / f"data.{part}").write_text(
            "00001740 00 a 01 able(a) 0 000 | having the necessary means; \"able to swim\"  \n" if part == "adj" else "")
    got = [p for _, p in corpus.wordnet_glosses(tmp_path)]
    assert got == ["praetorship, praetor ship (noun): the office of praetor.",
                   'able (adjective): having the necessary means; "able to swim"']
    (tmp_path / "index.adj").write_text("  1 licence\nable a 1\nx a 1\nwell-off a 1\nabsolutely a 1\n")
    assert corpus.wordnet_lemmas("adj", tmp_path) == ["able", "absolutely"]


def test_prose_filter():
    assert corpus.looks_like_prose("The quick brown fox jumps over the lazy dog near the river bank.")
    assert not corpus.looks_like_prose("Short one.")
    assert not corpus.looks_like_prose("if (x == y) { return foo_bar[i] + baz->qux; } else { y = x << 2; }")
    assert not corpus.looks_like_prose("ABC DEF GHI JKL MNO PQR STU VWX YZ AAA BBB CCC")


def test_deduper_drops_repeated_paragraphs_and_long_sentences():
    d, st = corpus.Deduper(), corpus.SourceStats()
    a = "One two three four five six seven eight nine. Short one."
    assert d.filter(a, st) == a
    assert d.filter("One  two three four five six seven eight nine. Short one.", st) is None  # same after spaces
    assert d.filter("Another start here. One two three four five six seven eight nine. Short one.", st) == \
        "Another start here. Short one."  # the long sentence was seen; the short one may repeat
    assert (st.duplicate_paragraphs, st.duplicate_sentences) == (1, 1)


def test_repeated_paragraphs_by_token_windows():
    paras = [[1, 2, 3, 4, 5], [9, 9], [2, 3, 4, 7], [7, 8], [1, 2, 3, 4, 5, 6]]
    assert corpus.repeated_paragraphs(paras, 3).tolist() == [2, 4]
    assert corpus.repeated_window_share(np.array([1, 2, 3, 1, 2, 3]), 3) == pytest.approx(2 / 4)
    assert corpus.repeated_window_share(np.arange(100), 8) == 0.0


def test_build_from_fake_installs(tmp_path, monkeypatch, enc):
    """The whole script on two tiny "packages": exact tiktoken tokens, no repeated paragraph,
    per-source statistics, documents shuffled by the seed."""
    kdoc = tmp_path / "kernel"
    (kdoc / "a").mkdir(parents=True)
    (kdoc / "translations").mkdir()
    para = "The scheduler decides which task runs next on every processor in the machine."
    with gzip.open(kdoc / "a" / "one.rst.gz", "wt") as f:
        f.write(f"Title\n=====\n\n{para}\n\nA second paragraph explains the details of the run queue locking.\n")
    with gzip.open(kdoc / "a" / "two.txt.gz", "wt") as f:
        f.write(f"{para}\n\nThe third paragraph is new and talks about power management of idle cores.\n")
    with gzip.open(kdoc / "translations" / "zh.rst.gz", "wt") as f:
        f.write("This translated page must never be read by the corpus builder at all.\n")
    wn = tmp_path / "wordnet"
    wn.mkdir()
    (wn / "data.noun").write_text("00596193 04 n 01 praetorship 0 000 | the office of praetor in ancient Rome  \n")
    for part in ("verb", "adj", "adv"):
        (wn / f"data.{part}").write_text("")
    monkeypatch.setattr(corpus, "KERNEL_DOC", kdoc)
    monkeypatch.setattr(corpus, "WORDNET_DIR", wn)
    out = tmp_path / "u.u32"
    m = corpus.build(out, ["kernel", "wordnet"], seed=3)
    tokens = np.fromfile(out, dtype="<u4")
    text = enc.decode(tokens.tolist())
    assert m["tokens"] == len(tokens) and enc.encode_ordinary(text) == tokens.tolist()
    assert text.count(para) == 1 and "translated" not in text and "Title" not in text
    assert "praetorship (noun): the office of praetor in ancient Rome." in text
    assert m["sources"]["kernel"]["duplicate_paragraphs"] == 1
    assert m["sources"]["kernel"]["tokens"] + m["sources"]["wordnet"]["tokens"] == len(tokens)
    assert m["repeated_32_token_windows"] == 0.0
    with pytest.raises(ValueError, match="fewer than the"):
        corpus.load_tokens(out, len(tokens) + 1)
    assert len(corpus.load_tokens(out, 5)) == 5
    with pytest.raises(FileNotFoundError, match="install-text.sh"):
        corpus.load_tokens(tmp_path / "missing.u32", 5)
