"""The proof that RoPE teleportation is exact, run through real Hugging Face models.

A corpus of two essays (about 2,300 tokens, two documents) hides three needles, at 10%, 50%
and 90% of its length, each with its own question; an index with a small buffer packs a
question's context with ``--positions original``. A tiny randomly
initialised causal LM (built from a config: no download, CPU, float32) then runs twice:

(a) on the pack alone, with its ``position_ids``;
(b) on the whole corpus followed by the question, with a 4D attention mask that lets every
    token see only the pack's corpus tokens and the question (causally; every other key
    masked; a masked token sees itself, so no row is empty).

Both compute the same function of the same tokens at the same positions, so the question
tokens' logits must agree to float32 rounding: at most 1e-4 apart. The same model on the
pack renumbered ``--positions contiguous`` does not agree, which is why the original
positions matter; both differences are printed at the end of the run.

The models are initialised with a standard deviation of 0.2 (the configs' default is
0.02): a model that default-small attends almost uniformly, so positions would hardly
matter to it; at 0.2 attention is sharp and logits are about 8, the harder case for the
1e-4 bound and the clearer one for the contiguous comparison.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import proteus_index
from support import ESSAYS, EXACTNESS_REPORT, TOKENIZER, require, run_cli

# depth -> (needle sentence, its question, a rare word the pack must hold)
NEEDLES = {
    0.1: (" The secret ingredient of Zanzibar soup is a spoonful of violet honey.",
          "What is the secret ingredient of Zanzibar soup?", "Zanzibar"),
    0.5: (" The lighthouse keeper of Port Quillan counts forty-two gulls every morning.",
          "How many gulls does the lighthouse keeper of Port Quillan count?", "Quillan"),
    0.9: (" The password of the Kestrel vault is marmalade-nineteen.",
          "What is the password of the Kestrel vault?", "Kestrel"),
}
DOCUMENTS = ["founders.txt", "vw.txt"]
TOLERANCE = 1e-4
#: The contiguous pack must miss by at least this much (measured: about 10, on logits of about 8).
CONTIGUOUS_AT_LEAST = 1.0
INITIALIZER_RANGE = 0.2


@dataclass
class Corpus:
    index: Path
    #: Every corpus token, int64.
    tokens: np.ndarray


@pytest.fixture(scope="module")
def corpus(binary: str, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Two essays as two documents, each needle after the first sentence end past its depth
    of the text, encoded and indexed with a 128-token buffer in 512-token chunks."""
    work = tmp_path_factory.mktemp("needles")
    texts = [(ESSAYS / name).read_text() for name in DOCUMENTS]
    total = sum(map(len, texts))
    for depth in sorted(NEEDLES, reverse=True):  # deepest first: earlier offsets stay valid
        at = int(total * depth)
        k = 0 if at < len(texts[0]) else 1
        cut = texts[k].find(". ", at - sum(len(t) for t in texts[:k])) + 1
        texts[k] = texts[k][:cut] + NEEDLES[depth][0] + texts[k][cut:]
    (work / "docs").mkdir()
    for i, text in enumerate(texts):
        (work / "docs" / f"{i}.txt").write_text(text)
    tok = str(TOKENIZER)
    run_cli(binary, "encode", str(work / "docs"), "-o", str(work / "corpus.tok"), "--tokenizer", tok, "--quiet")
    run_cli(binary, "convert", str(work / "corpus.tok"), "-o", str(work / "corpus.u32"), "--quiet")
    run_cli(binary, "build", str(work / "corpus.tok"), "-o", str(work / "corpus.phb"), "--tokenizer", tok,
            "--buffer", "128", "--chunk-len", "512", "--per-chunk", "64", "--span", "4", "--quiet")
    shutil.rmtree(work / "docs")
    return Corpus(work / "corpus.phb", np.fromfile(work / "corpus.u32", dtype="<u4").astype(np.int64))


def tiny_model(family: str, vocabulary: int, attention: str):
    """A randomly initialised 2-layer model of `family` with grouped-query attention."""
    torch = require("torch")
    transformers = require("transformers")
    torch.manual_seed(0)
    common = dict(vocab_size=vocabulary, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                  rope_theta=10000.0, initializer_range=INITIALIZER_RANGE, attn_implementation=attention)
    if family == "llama":
        model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**common))
    elif family == "qwen2":  # biases on q, k, v; no sliding window at this length
        model = transformers.Qwen2ForCausalLM(transformers.Qwen2Config(**common, use_sliding_window=False))
    else:
        raise ValueError(family)
    return model.to(torch.float32).eval()


def masked_full_run(model, corpus: np.ndarray, question: np.ndarray, visible: np.ndarray):
    """Logits of the question tokens when the corpus and question run as one sequence and each
    token sees, causally, only the `visible` corpus positions, the question and itself."""
    torch = require("torch")
    ids = torch.from_numpy(np.concatenate([corpus, question]))[None]
    n = ids.shape[1]
    seen = torch.zeros(n, dtype=torch.bool)
    seen[torch.from_numpy(visible)] = True
    seen[corpus.size:] = True
    i = torch.arange(n)
    allowed = (i[None, :] <= i[:, None]) & (seen[None, :] | (i[None, :] == i[:, None]))
    mask = torch.zeros(n, n).masked_fill_(~allowed, torch.finfo(torch.float32).min)[None, None]
    with torch.no_grad():
        return model(input_ids=ids, position_ids=i[None], attention_mask=mask,
                     logits_to_keep=question.size).logits[0]


def pack_run(model, pack: proteus_index.Pack):
    torch = require("torch")
    with torch.no_grad():
        return model(**pack.to_torch().model_inputs(), logits_to_keep=len(pack) - pack.hero_tokens).logits[0]


# Both families at every depth with PyTorch's attention (transformers' default), and the eager
# path (the mask added to the scores as written) once: its full run is the slow one.
RUNS = [(family, "sdpa", depth) for family in ("llama", "qwen2") for depth in NEEDLES] + [("llama", "eager", 0.5)]


@pytest.fixture(scope="module")
def models():
    """One model per (family, attention, vocabulary), made on first use."""
    made = {}

    def model(family: str, attention: str, vocabulary: int):
        if (family, attention, vocabulary) not in made:
            made[family, attention, vocabulary] = tiny_model(family, vocabulary, attention)
        return made[family, attention, vocabulary]
    return model


@pytest.mark.parametrize("family, attention, depth", RUNS, ids=[f"{f}-{a}-depth{int(d * 100)}" for f, a, d in RUNS])
def test_teleported_pack_equals_the_masked_full_run(corpus: Corpus, models, family: str, attention: str, depth: float):
    _, question_text, rare = NEEDLES[depth]
    with proteus_index.open(corpus.index) as index:
        original = index.pack(question_text, positions="original", max_tokens=512)
        contiguous = index.pack(question_text, positions="contiguous", max_tokens=512)
        assert rare in index.decode(original.input_ids[0, :original.hero_tokens])  # routing found the needle
        vocabulary = index.tokenizer["vocabulary_size"]
    positions = original.position_ids[0, :original.hero_tokens]
    question = original.input_ids[0, original.question]
    # The pack is the corpus at those positions, and the question follows the last corpus token.
    assert np.array_equal(original.input_ids[0, :original.hero_tokens], corpus.tokens[positions])
    assert np.array_equal(original.position_ids[0, original.question], corpus.tokens.size + np.arange(question.size))
    assert np.array_equal(contiguous.input_ids, original.input_ids)

    model = models(family, attention, vocabulary)
    full = masked_full_run(model, corpus.tokens, question, positions)
    teleported = (pack_run(model, original) - full).abs().max().item()
    renumbered = (pack_run(model, contiguous) - full).abs().max().item()
    EXACTNESS_REPORT.append(
        f"{family:6s} {attention:5s} needle at {depth:4.0%}: original {teleported:.2e}, contiguous "
        f"{renumbered:.2e} (logits up to {full.abs().max().item():.1f}; pack {len(original)} tokens, "
        f"full run {corpus.tokens.size + question.size})")
    assert teleported <= TOLERANCE
    assert renumbered >= CONTIGUOUS_AT_LEAST
