"""`pip install ./tools/python` installs a working package (typed, with its dependencies
declared), without the network: pip builds it with the setuptools already installed."""
from __future__ import annotations

import shutil
import subprocess
import sys

from support import REPO


def test_pip_installs_the_package(indexes, tmp_path):
    # pip builds in the source folder (build/, *.egg-info): install a copy, not the checkout.
    source = tmp_path / "python"
    shutil.copytree(REPO / "tools" / "python", source,
                    ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", "--target", str(target), str(source)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    installed = sorted(p.name for p in (target / "proteus_index").iterdir() if p.suffix in (".py", ".typed"))
    assert "py.typed" in installed and "index.py" in installed and "cli.py" in installed
    # The installed copy, not the source tree, opens an index in a fresh interpreter.
    probe = ("import sys, proteus_index as p; assert p.__file__.startswith(sys.argv[1]), p.__file__; "
             "i = p.open(sys.argv[2]); print(i.tokens.size, p.__version__)")
    run = subprocess.run([sys.executable, "-c", probe, str(target), str(indexes["stdin"].path)],
                         capture_output=True, text=True, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[1] == "0.1.0"
    metadata = next(target.glob("proteus_index-*.dist-info")) / "METADATA"
    requires = [line for line in metadata.read_text().splitlines() if line.startswith("Requires-Dist:")]
    assert any("numpy" in r for r in requires) and any("xxhash" in r for r in requires)
    assert not any("torch" in r and "extra" not in r for r in requires)  # torch stays optional
