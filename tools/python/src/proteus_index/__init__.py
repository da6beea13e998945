"""Read proteus-index `.phb` hero indexes with numpy, and hand their heroes to a model.

>>> import proteus_index
>>> with proteus_index.open("essays.phb") as index:
...     index.tokens, index.positions      # zero-copy uint32 ids, their corpus positions
...     index.decode(index.tokens[:16])    # text, from the tokenizer the index embeds
...     answers = index.query("What is the best thing to do in San Francisco?")
...     pack = index.pack("What is the best thing to do in San Francisco?", as_torch=True)

Reading is done here, in-process, from the mapped file; questions are answered by the
``proteus-index`` command (found on ``PATH`` or through ``PROTEUS_INDEX_BIN``), which stays
the one implementation of scoring. Every failure raises `ProteusIndexError`, whose message
is the line the command prints for the same problem.
"""
from ._errors import ProteusIndexError
from .cli import Answer, Answers, Pack, find_binary, pack, query
from .documents import Document, Documents
from .index import HeroIndex, open

__version__ = "0.1.0"

__all__ = ["Answer", "Answers", "Document", "Documents", "HeroIndex", "Pack", "ProteusIndexError",
           "find_binary", "open", "pack", "query"]
