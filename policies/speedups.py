"""One fix to checkov's dependencies that the gate's speed rests on.

``bc_jsonpath_ng`` (checkov's JSONPath library) regenerates its PLY LALR tables on every
``parse()`` ("it doesn't actually take that long!": ~80 ms). checkov's graph rendering parses a
JSONPath for each attribute update, so a fresh process spends about 6 s of a 15 s HCL scan of
terraform/ building the same table again and again. The grammar is a constant of the class and its
``p_*`` actions keep no state on the instance, so one parser per (class, start symbol) serves
every parse. ``install()`` is idempotent; tests compare its results with the original's.
"""

from __future__ import annotations

from typing import Any

import ply.yacc
from bc_jsonpath_ng import parser as jsonpath_parser

_ORIGINAL = jsonpath_parser.JsonPathParser.parse_token_stream
_PARSERS: dict[tuple[type, str], Any] = {}


def _parse_token_stream(self: jsonpath_parser.JsonPathParser, token_iterator: Any, start_symbol: str = "jsonpath") -> Any:
    key = (type(self), start_symbol)
    table = _PARSERS.get(key)
    if table is None:
        table = _PARSERS[key] = ply.yacc.yacc(
            module=self, debug=False, write_tables=False, start=start_symbol, errorlog=ply.yacc.NullLogger()
        )
    return table.parse(lexer=jsonpath_parser.IteratorToTokenStream(token_iterator))


def install() -> None:
    jsonpath_parser.JsonPathParser.parse_token_stream = _parse_token_stream


def original_parse_token_stream() -> Any:
    return _ORIGINAL
