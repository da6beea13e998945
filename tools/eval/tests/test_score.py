import numpy as np

import score


def result(enc, rank, start, text):
    ids = enc.encode_ordinary(text)
    return {"rank": rank, "score": 1.0 / rank, "start": start, "end": start + len(ids), "token_ids": ids, "text": text}


def expected(enc, value):
    return [(value, enc.encode_ordinary(" " + value))]


def test_accepts_the_right_value_and_rejects_a_wrong_one(enc):
    rs = [result(enc, 1, 100, " special magic numbers for amber-anchor is: 4821937.")]
    assert score.success_at(rs, 1, expected(enc, "4821937"), enc)
    assert not score.success_at(rs, 1, expected(enc, "4821938"), enc)
    assert not score.success_at(rs, 5, expected(enc, "1234567"), enc)


def test_top1_and_top5_differ_by_rank(enc):
    rs = [result(enc, 1, 0, " nothing here"), result(enc, 4, 900, " sit in Dolores Park today")]
    exp = expected(enc, "sit in Dolores Park")
    assert not score.success_at(rs, 1, exp, enc)
    assert score.success_at(rs, 5, exp, enc)
    rs.append(result(enc, 6, 50, " eat a sandwich"))
    assert not score.success_at(rs, 5, expected(enc, "eat a sandwich"), enc)  # rank 6 is outside the top 5


def test_value_split_over_adjacent_spans_counts_but_not_over_a_gap(enc):
    ids = enc.encode_ordinary(" eat a sandwich and sit in Dolores Park on a sunny day")
    a = {"rank": 2, "start": 10, "end": 14, "token_ids": ids[:4], "text": enc.decode(ids[:4])}
    b = {"rank": 1, "start": 14, "end": 10 + len(ids), "token_ids": ids[4:], "text": enc.decode(ids[4:])}
    exp = [("eat a sandwich and sit in Dolores Park", ids[:8])]
    assert score.success_at([a, b], 5, exp, enc)
    b_gap = dict(b, start=15, end=11 + len(ids))
    assert not score.success_at([a, b_gap], 5, exp, enc)
    overlapping = dict(b, start=12, token_ids=ids[2:], text=enc.decode(ids[2:]))
    assert score.success_at([a, overlapping], 5, exp, enc)


def test_all_values_must_come_back(enc):
    rs = [result(enc, 1, 0, " is: 1111111."), result(enc, 2, 500, " is: 2222222.")]
    both = expected(enc, "1111111") + expected(enc, "2222222")
    assert score.success_at(rs, 5, both, enc)
    assert not score.success_at(rs, 5, both + expected(enc, "3333333"), enc)
    assert not score.success_at(rs, 1, both, enc)


def test_retention_checks_every_position_against_the_spans():
    spans = np.array([[10, 20], [15, 18], [40, 41]])
    assert score.retained([[10, 11, 19], [40]], spans)
    assert not score.retained([[19, 20]], spans)  # end is exclusive
    assert not score.retained([[9]], spans)
    assert not score.retained([[41]], spans)
    assert not score.retained([[12]], np.zeros((0, 2), dtype=np.int64))
    nested = np.array([[0, 100], [5, 6]])  # a short span after a long one must not hide coverage
    assert score.retained([[50]], nested)


def test_score_case_keeps_retention_apart_from_ranking(enc):
    rs = [result(enc, 1, 0, " unrelated words")]
    s = score.score_case(rs, np.array([[0, 3], [100, 110]]), expected(enc, "4821937"), [[104, 105]], enc)
    assert s == score.CaseScore(retention=True, top1=False, top5=False, top5_chance=False, recall5=0.0)


def test_a_value_matched_away_from_the_needle_is_chance_not_success(enc):
    rs = [result(enc, 1, 5000, " simmered for 45 minutes at home")]  # the needle's " 45" is at 120
    exp = expected(enc, "45")
    assert score.success_at(rs, 5, exp, enc)  # content alone would count it
    assert not score.success_at(rs, 5, exp, enc, [[120]])
    s = score.score_case(rs, np.array([[0, 10000]]), exp, [[120]], enc)
    assert (s.top5, s.top5_chance, s.retention) == (False, True, True)
    at_needle = [result(enc, 2, 118, " for 45 minutes")]
    s = score.score_case(at_needle, np.array([[118, 122]]), exp, [[119]], enc)
    assert (s.top1, s.top5, s.top5_chance, s.recall5) == (False, True, False, 1.0)


def test_recall_counts_each_value(enc):
    rs = [result(enc, 1, 0, " is: 1111111."), result(enc, 2, 500, " is: 7777777.")]
    exp = expected(enc, "1111111") + expected(enc, "2222222")
    s = score.score_case(rs, np.array([[0, 600]]), exp, [[2], [502]], enc)
    assert (s.top5, s.recall5) == (False, 0.5)
