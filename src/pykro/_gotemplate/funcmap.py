"""The tables of predefined functions: Go's builtins, Sprig v3's, Lynq's.

``ALL_FUNCS`` is what a LynqForm template sees (Lynq's engine: Sprig's map, then Lynq's functions over it, so
``int`` and ``fromJson`` are Lynq's). ``SPRIG_FUNCS`` is plain Sprig (builtins included). Sprig's ``slice``
replaces the builtin one, as it does in Go (a FuncMap entry shadows a builtin).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from .builtins import BUILTINS
from .convert import CONVERT_FUNCS
from .lynq import LYNQ_FUNCS
from .sprig_encoding import ENCODING_FUNCS
from .sprig_lists import LIST_FUNCS
from .sprig_misc import MISC_FUNCS
from .sprig_regex import REGEX_FUNCS
from .sprig_strings import STRING_FUNCS
from .sprig_words import WORD_FUNCS

__all__ = ["ALL_FUNCS", "SPRIG_FUNCS"]

SPRIG_FUNCS: Final[dict[str, Callable[..., object]]] = {
    **BUILTINS,
    **CONVERT_FUNCS,
    **STRING_FUNCS,
    **WORD_FUNCS,
    **LIST_FUNCS,
    **ENCODING_FUNCS,
    **REGEX_FUNCS,
    **MISC_FUNCS,
}
ALL_FUNCS: Final[dict[str, Callable[..., object]]] = {**SPRIG_FUNCS, **LYNQ_FUNCS}
