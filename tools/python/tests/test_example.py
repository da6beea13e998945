"""The example a user copies (tools/examples/transformers_pack.py) runs end to end, and the
`generate` it relies on keeps numbering new tokens after the question's original position."""
from __future__ import annotations

import importlib.util

import numpy as np

import proteus_index
from support import REPO, require

QUESTION = "What is the best thing to do in San Francisco?"


def example_module():
    spec = importlib.util.spec_from_file_location("transformers_pack", REPO / "tools" / "examples" / "transformers_pack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_runs(binary, tmp_path, capsys):
    require("torch"), require("transformers")
    assert example_module().main(["--work", str(tmp_path), "--new-tokens", "3"]) == 0
    out = capsys.readouterr().out
    assert "Dolores Park on a sunny day" in out  # the needle is the best answer
    assert "right after the last corpus token" in out and "generated 3 tokens" in out


def test_generate_continues_from_the_last_position(indexes):
    """model.generate with the pack's position_ids gives what a step-by-step greedy loop with
    explicit positions (last + 1, last + 2, ...) gives."""
    torch = require("torch")
    require("transformers")
    example = example_module()
    with proteus_index.open(indexes["essays"].path) as index:
        pack = index.pack(QUESTION, max_tokens=160, as_torch=True)
        model = example.load_model(None, index.tokenizer["vocabulary_size"])
    generated = example.generate(model, pack, 4)
    ids, positions = pack.input_ids, pack.position_ids
    with torch.no_grad():
        for _ in range(4):
            following = model(input_ids=ids, position_ids=positions).logits[0, -1].argmax().view(1, 1)
            ids = torch.cat([ids, following], dim=1)
            positions = torch.cat([positions, positions[:, -1:] + 1], dim=1)
    assert np.array_equal(generated.numpy(), ids[0, len(pack):].numpy())
    assert int(positions[0, -1]) == index.statistics["tokens"] + pack.answers.question_tokens.size + 3
