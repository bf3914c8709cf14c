"""How a tool call is written where the model reads or trains on it: capped, so a long argument
(a whole file's ``content``) never becomes a question's subject or fills the wake note.

One writer for every place a call appears as text: the wake note's list of calls done, a fact's
``origin``, and the subject of a ``call`` fact ("what did read_file return for path=notes.txt?").

    >>> print(call_signature("write_file", {"path": "a.txt", "content": "x" * 500}))
    write_file(path='a.txt', content='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["MAX_ARG_CHARS", "MAX_CALL_CHARS", "call_arguments", "call_signature"]

# One argument's shown value. Paths, names and ids fit; a file's content does not, and need not:
# the call's result, not its input, is what a sleep learns.
MAX_ARG_CHARS = 48
# A whole call as text. A subject longer than this made questions the 0.5B model could not repeat,
# and the wake note (in every prompt after a sleep) lists up to 8 calls.
MAX_CALL_CHARS = 160
ELLIPSIS = "…"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _pairs(args: dict | Iterable[tuple[str, Any]] | None) -> list[tuple[str, Any]]:
    return list(args.items()) if isinstance(args, dict) else list(args or ())


def call_arguments(args: dict | Iterable[tuple[str, Any]] | None, *, quote: bool = True) -> str:
    """``path='a.txt', page=2``: each value cut at :data:`MAX_ARG_CHARS`, the whole at :data:`MAX_CALL_CHARS`.

    ``quote=False`` writes values as plain text (``path=a.txt``), the form questions use.
    """
    shown = [f"{k}={_cut(repr(v) if quote else str(v), MAX_ARG_CHARS)}" for k, v in _pairs(args)]
    return _cut(", ".join(shown), MAX_CALL_CHARS)


def call_signature(name: str, args: dict | Iterable[tuple[str, Any]] | None = None) -> str:
    """``name(arguments)`` as :func:`call_arguments` writes them, at most :data:`MAX_CALL_CHARS` long."""
    return _cut(f"{name}({call_arguments(args)})", MAX_CALL_CHARS)
