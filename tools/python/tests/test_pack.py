"""`pack()` returns what ``query --emit`` writes, shaped for a Hugging Face model: int64
``[1, n]`` ids and positions whose corpus tokens are the pack's tokens, the question after
the last corpus token; numpy by default, torch tensors with ``as_torch=True``."""
from __future__ import annotations

import json

import numpy as np
import pytest

import proteus_index
from support import require, run_cli

QUESTION = "What is the best thing to do in San Francisco?"


def emitted_json(binary: str, index, positions: str, max_tokens: int, tmp_path) -> dict:
    out = tmp_path / f"pack-{positions.replace(':', '-')}.json"
    run_cli(binary, "query", str(index), QUESTION, "--emit", str(out), "--positions", positions,
            "--max-tokens", str(max_tokens))
    return json.loads(out.read_text())


@pytest.mark.parametrize("positions", ["original", "contiguous", "scaled:50000"])
def test_pack_equals_the_emitted_pack(binary, indexes, tmp_path, positions):
    built = indexes["essays"]
    expected = emitted_json(binary, built.path, positions, 600, tmp_path)
    with proteus_index.open(built.path) as index:
        pack = index.pack(QUESTION, positions=positions, max_tokens=600)
    assert pack.hero_tokens == expected["hero_tokens"] and len(pack) == len(expected["input_ids"])
    for name, dtype in [("input_ids", np.int64), ("position_ids", np.int64), ("document_ids", np.int64),
                        ("scores", np.float32)]:
        array = getattr(pack, name)
        assert array.dtype == dtype and array.shape == (1, len(pack)) and array.flags.c_contiguous
        assert np.array_equal(array[0], np.array(expected[name], dtype=dtype))
    assert pack.answers.mode == "teleport"
    assert np.array_equal(pack.input_ids[0, pack.question], pack.answers.question_tokens)


def test_original_positions_are_the_corpus_positions(indexes):
    """Teleportation: every pack token sits at its corpus position; the question follows the
    last corpus token."""
    built = indexes["essays"]
    corpus = np.fromfile(built.corpus_u32, dtype="<u4")
    with proteus_index.open(built.path) as index:
        pack = index.pack(QUESTION, max_tokens=800)
        heroes = slice(0, pack.hero_tokens)
        positions = pack.position_ids[0, heroes]
        assert np.all(np.diff(positions) > 0)
        assert np.array_equal(corpus[positions], pack.input_ids[0, heroes])
        documents = np.array([index.documents.containing(int(p)) for p in positions])
        assert np.array_equal(documents, pack.document_ids[0, heroes])
        question = pack.position_ids[0, pack.question]
        assert np.array_equal(question, corpus.size + np.arange(question.size))
        assert np.all(pack.document_ids[0, pack.question] == -1)
        # Hero spans in the pack keep their DNA scores (passages read from the corpus have 0).
        is_hero = np.isin(positions, index.positions)
        scored = pack.scores[0, heroes] != 0
        assert np.all(is_hero[scored])


def test_contiguous_positions_renumber(indexes):
    with proteus_index.open(indexes["essays"].path) as index:
        original = index.pack(QUESTION, max_tokens=300)
        contiguous = index.pack(QUESTION, positions="contiguous", max_tokens=300)
    assert np.array_equal(original.input_ids, contiguous.input_ids)
    assert np.array_equal(contiguous.position_ids[0], np.arange(len(contiguous)))


def test_max_tokens_bounds_the_pack(indexes):
    with proteus_index.open(indexes["essays"].path) as index:
        pack = index.pack(QUESTION, max_tokens=40)
    assert 0 < pack.hero_tokens <= 40 and len(pack) == pack.hero_tokens + pack.answers.question_tokens.size


def test_pack_as_torch(indexes):
    torch = require("torch")
    with proteus_index.open(indexes["essays"].path) as index:
        numpy_pack = index.pack(QUESTION, max_tokens=200)
        pack = index.pack(QUESTION, max_tokens=200, as_torch=True)
    inputs = pack.model_inputs()
    assert set(inputs) == {"input_ids", "position_ids"}
    for name in ("input_ids", "position_ids", "document_ids"):
        tensor = getattr(pack, name)
        assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.int64 and tensor.shape == (1, len(pack))
        assert np.array_equal(tensor.numpy(), getattr(numpy_pack, name))
    assert pack.scores.dtype == torch.float32


def test_pack_from_the_heroes_alone(binary, indexes):
    """An index of standard input has no corpus path: the pack comes from the heroes, and the
    warning of the CLI is kept."""
    with proteus_index.open(indexes["stdin"].path) as index:
        pack = index.pack(QUESTION, max_tokens=200)
        assert pack.answers.mode == "heroes" and pack.answers.warnings
        assert np.all(np.isin(pack.position_ids[0, :pack.hero_tokens], index.positions))
