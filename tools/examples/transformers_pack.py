#!/usr/bin/env python3
"""Hand the heroes to a Hugging Face causal LM: index the bundled essays, ask a question, and
run the model on the pack with each token at its original RoPE position.

    python3 tools/examples/transformers_pack.py                       # a tiny random Llama
    python3 tools/examples/transformers_pack.py --model ~/models/my-cl100k-llama

1. ``proteus-index encode`` + ``build``: the essays (with a needle hidden in one of them)
   become a token file and a hero index.
2. ``proteus_index.open(...).pack(question, as_torch=True)``: the heroes and answers in
   position order, then the question, with ``position_ids`` that keep every hero's position
   in the corpus and put the question right after the corpus ("teleportation").
3. ``model(**pack.model_inputs())``, then ``model.generate`` continuing from the question's
   last position.

The model must use the index's tokenizer (cl100k_base, 100,277 ids): the pack holds cl100k
ids, and generated ids are decoded with the index's embedded tokenizer. ``--model`` takes a
local checkpoint folder (never downloaded); without one, a tiny Llama is initialised at
random from a config, so the example always runs, and its words are noise.

Needs: numpy, torch (the CPU build is enough), transformers, the proteus_index package
(``pip install ./tools/python``, or run from the repository) and the proteus-index binary
(on PATH, through PROTEUS_INDEX_BIN, or .build/release after ``swift build -c release``).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "python" / "src"))  # the package, when not pip-installed

import proteus_index  # noqa: E402

NEEDLE = "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day."
QUESTION = "What is the best thing to do in San Francisco?"


def binary() -> str:
    """The proteus-index binary: the package's rule (PROTEUS_INDEX_BIN, PATH), else this
    checkout's release build."""
    try:
        return proteus_index.find_binary()
    except proteus_index.ProteusIndexError:
        built = REPO / ".build" / "release" / "proteus-index"
        if os.access(built, os.X_OK):
            os.environ["PROTEUS_INDEX_BIN"] = str(built)
            return str(built)
        raise


def build_index(work: Path) -> Path:
    """Encodes the essays, with the needle after a sentence of founders.txt, and builds an
    index with a 4,096-token hero buffer. Returns the index path."""
    essays = work / "essays"
    shutil.copytree(REPO / "fixtures" / "essays", essays)
    founders = essays / "founders.txt"
    text = founders.read_text()
    cut = text.find(".\n", len(text) // 2) + 1
    founders.write_text(text[:cut] + " " + NEEDLE + text[cut:])
    tokenizer = str(REPO / "fixtures" / "tokenizers" / "cl100k_base.tiktoken")
    for arguments in (["encode", str(essays), "-o", str(work / "essays.tok"), "--tokenizer", tokenizer],
                      ["build", str(work / "essays.tok"), "-o", str(work / "essays.phb"), "--tokenizer", tokenizer,
                       "--buffer", "4096"]):
        subprocess.run([binary(), *arguments, "--quiet"], check=True)
    return work / "essays.phb"


def load_model(path: str | None, vocabulary: int):
    """A local checkpoint (float32, CPU, eval mode), or a tiny random Llama over `vocabulary` ids."""
    import torch
    import transformers

    if path is not None:
        model = transformers.AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=torch.float32)
        if model.config.vocab_size < vocabulary:
            sys.exit(f"{path}: its vocabulary has {model.config.vocab_size} ids, fewer than the index's tokenizer "
                     f"({vocabulary}); use a checkpoint trained with cl100k_base")
        print(f"model: {path} ({sum(p.numel() for p in model.parameters()):,} parameters)")
        return model.eval()
    torch.manual_seed(0)
    config = transformers.LlamaConfig(vocab_size=vocabulary, hidden_size=64, intermediate_size=128,
                                      num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                      max_position_embeddings=1 << 20)
    print("model: none given (--model PATH), so a tiny randomly initialised Llama from a config: "
          "it shows the wiring, its words are noise")
    return transformers.LlamaForCausalLM(config).eval()


def generate(model, pack: proteus_index.Pack, new_tokens: int):
    """Greedy continuation of the pack; generate() numbers each new token one past the last."""
    import torch

    with torch.no_grad():
        out = model.generate(**pack.model_inputs(), max_new_tokens=new_tokens, do_sample=False,
                             pad_token_id=0)
    return out[0, len(pack):]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a local Hugging Face checkpoint folder whose tokenizer is cl100k_base")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--max-tokens", type=int, default=512, help="tokens in the pack at most")
    parser.add_argument("--new-tokens", type=int, default=8, help="tokens to generate")
    parser.add_argument("--work", help="folder for the token file and index (default: a temporary one)")
    args = parser.parse_args(argv)
    import torch

    with tempfile.TemporaryDirectory(prefix="proteus-example-") as scratch:
        work = Path(args.work or scratch)
        work.mkdir(parents=True, exist_ok=True)
        print("== 1. index the essays (the needle hides in founders.txt)")
        index_path = build_index(work)
        with proteus_index.open(index_path) as index:
            corpus_tokens = index.statistics["tokens"]
            print(f"{corpus_tokens:,} corpus tokens in {len(index.documents)} documents -> "
                  f"{index.tokens.size:,} heroes in {index.spans.size} spans")

            print(f"\n== 2. ask {args.question!r} and get the pack")
            pack = index.pack(args.question, max_tokens=args.max_tokens, as_torch=True)
            best = pack.answers[0] if pack.answers else None
            if best is not None:
                print(f"best answer ({pack.answers.mode}): {best.document}, tokens {best.start}..<{best.end}: "
                      f"{best.text.strip()!r}")
            positions = pack.position_ids[0]
            print(f"pack: {len(pack)} tokens ({pack.hero_tokens} from the corpus, at positions "
                  f"{int(positions[0])}..{int(positions[pack.hero_tokens - 1])}; the question at "
                  f"{int(positions[pack.hero_tokens])}..{int(positions[-1])}, right after the last corpus token)")

            print("\n== 3. run the model with position_ids, then generate")
            model = load_model(args.model, index.tokenizer["vocabulary_size"])
            with torch.no_grad():
                logits = model(**pack.model_inputs()).logits
            print(f"logits {tuple(logits.shape)}; next token after the question: "
                  f"{index.decode([int(logits[0, -1].argmax())])!r}")
            new = generate(model, pack, args.new_tokens)
            print(f"generated {len(new)} tokens: {index.decode(new.tolist())!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
