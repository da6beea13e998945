import random

import numpy as np

import natural


def test_drawn_lines_are_whole_lines_of_the_corpus_with_their_token_ranges(base, enc):
    tokens = np.memmap(base, dtype="<u4", mode="r")
    lines = natural.draw_lines(tokens, enc, 6, seed=3)
    assert [(l.start, l.end, l.text) for l in lines] == \
           [(l.start, l.end, l.text) for l in natural.draw_lines(tokens, enc, 6, seed=3)]
    for line in lines:
        assert len(line.text.split()) >= natural.MIN_LINE_WORDS and "\n" not in line.text
        text = enc.decode(tokens[line.start:line.end].tolist())
        assert line.text in text  # the range holds the line ...
        inner = enc.decode(tokens[line.start + 1:line.end - 1].tolist())
        assert line.text not in inner  # ... and no more than the tokens holding its ends


def test_a_phrase_is_eight_consecutive_words_of_the_line():
    line = natural.Line(0, 1, "one two three four five six seven eight nine ten eleven twelve")
    q = natural.phrase_question(line, random.Random(1))
    assert len(q.split()) == 8 and q in line.text


def test_keywords_are_words_a_person_types_and_the_rarest_three_are_asked():
    assert natural.words_of("Use /bin/sh or sable-lagoon-prime, not __init__ 42x; Use") == \
           ["Use", "bin", "sable-lagoon-prime", "not", "init", "42x"]
    rarity = {"Use": 9, "bin": 1, "sable-lagoon-prime": 1, "not": 50, "init": 3, "42x": 7}
    line = natural.Line(0, 1, "Use /bin/sh or sable-lagoon-prime, not __init__ 42x")
    assert natural.terms_question(line, rarity.get) == "bin sable-lagoon-prime init"  # a tie keeps the line's order
    assert natural.terms_question(natural.Line(0, 1, "an ox is"), rarity.get) is None


def test_success_needs_the_phrase_or_every_keyword_as_a_word():
    assert natural.holds_phrase("the cache is\n  flushed on arch", "cache is flushed on")
    assert not natural.holds_phrase("the cache is flushed", "cache was flushed")
    assert natural.holds_terms("One who keeps a Nursery of trees", "nursery trees")
    assert not natural.holds_terms("Nurseryman, n.; pl. Nurserymen.", "nursery")
    assert not natural.holds_terms("amber sable-lagoon-prime", "sable-lagoon")
    # A keyword is met as the question took it: "-nues" and "(-Duseithreads)" hold theirs.
    assert natural.holds_terms("Ing'enue, n.; pl. -nues.", "nues Ing")
    assert natural.holds_terms("compile a threaded Perl (-Duseithreads)", "Duseithreads threaded")
    results = [{"text": "nothing here"}, {"text": "quokka and zanzibar"}]
    assert natural.first_success(results, "zanzibar quokka", "terms") == 2
    assert not natural.success_at(results, "zanzibar quokka", "terms", 1) and natural.success_at(results, "zanzibar quokka", "terms", 2)
    assert natural.first_success(results, "zanzibar ocelot", "terms") is None


def test_a_mixed_question_puts_two_rare_words_of_another_line_among_the_keywords():
    counts = {"quokka": 1, "zanzibar": 2, "ocelot": 3, "walrus": 4, "sleeps": 5}

    def rarity(word: str) -> int:
        return counts.get(word, 90)
    other = natural.Line(0, 1, "the walrus sleeps beside the ocelot and the Quokka")
    # "quokka" is a keyword already (any case): the others are the foreign words, rarest first.
    assert natural.mixed_question("quokka zanzibar lemur", other, rarity) == "quokka zanzibar walrus lemur sleeps"
    assert natural.mixed_question("quokka zanzibar lemur", natural.Line(0, 1, "the ocelot"), rarity) is None


def test_a_sentence_question_holds_the_keywords_in_order_and_is_answered_as_terms():
    q = natural.sentence_question("quokka zanzibar lemur", random.Random(4))
    assert q in [s.format("quokka, zanzibar and lemur") for s in natural.QUESTION_SENTENCES]
    assert natural.success_at([{"text": "A lemur met a quokka in Zanzibar."}], "quokka zanzibar lemur", "question", 1)
    assert not natural.success_at([{"text": "Where is the lemur explained?"}], "quokka zanzibar lemur", "question", 1)


def test_inflections_go_through_the_stem_and_a_question_keeps_those_the_corpus_holds():
    assert {"interrupt", "interrupted", "interrupting"} <= set(natural.inflections("interrupts"))
    assert {"query", "queried", "querying"} <= set(natural.inflections("queries"))
    assert {"handle", "handles", "handling"} <= set(natural.inflections("handled"))
    assert natural.inflections("box") == [] and natural.inflections("x86y") == []
    known = {"interrupt", "handling"}
    q = natural.inflected_question("Interrupts handled quokka", known, random.Random(1))
    assert q == "Interrupt handling quokka"
    assert natural.inflected_question("quokka zanzibar", known, random.Random(1)) is None
    # Answered as terms: the line's own words.
    assert natural.success_at([{"text": "Interrupts handled by a quokka."}], "Interrupts handled quokka", "inflected", 1)


def test_a_lowercase_question_is_asked_only_of_terms_with_an_acronym():
    assert natural.lowercase_question("NUMA balancing scans") == "numa balancing scans"
    assert natural.lowercase_question("KVM_MAX_VCPU_IDS EFAULT Invalid") == "kvm_max_vcpu_ids efault invalid"
    assert natural.lowercase_question("Numa balancing scans") is None


def test_a_named_question_puts_a_word_of_the_file_name_the_line_lacks_before_the_keywords():
    assert natural.name_words("/usr/share/info/grep.info-2.txt") == ["grep"]
    assert natural.name_words("Documentation/networking/ip-sysctl.rst") == ["sysctl"]  # "ip" is too short
    assert natural.name_words("src/ZSTD_inBuffer2.h") == ["zstd", "inbuffer2"]
    line = natural.Line(0, 1, "Suppress normal output; instead print a count of matching lines")
    assert natural.named_question("count matching lines", line, "info/grep.info.txt") == "grep count matching lines"
    # A name the line says, or no word of three letters, names nothing new.
    assert natural.named_question("count matching lines", line, "info/output.txt") is None
    assert natural.named_question("count matching lines", line, "a/ip.rst") is None
