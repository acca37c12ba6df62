"""The parser of Go's ``text/template``: tokens to parse trees (``text/template/parse/parse.go``'s grammar).

``parse_trees`` returns the main tree and every ``define``/``block`` tree. Checks done while parsing, as Go does:
functions must exist, variables must be declared, ``break``/``continue`` only inside ``range``, no empty pipelines.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Container
from typing import Final

from ..errors import go_quote
from .lexer import LexError, T, Token, lex
from .nodes import (
    Action,
    Bool,
    Break,
    Chain,
    Command,
    Continue,
    Dot,
    Field,
    Identifier,
    If,
    Nil,
    Node,
    Number,
    Pipe,
    Range,
    String,
    Template,
    Text,
    Tree,
    Variable,
    With,
)

__all__ = ["ParseError", "parse_trees", "unquote"]


class ParseError(Exception):
    """A syntax error at ``pos``."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


_SIMPLE_ESCAPES: Final = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
}  # fmt: skip
_OCTAL_INT: Final = re.compile(r"[+-]?0[0-7_]+")


def unquote(text: str) -> str:
    """Go's ``strconv.Unquote`` for "...", `...` and '...' literals."""
    quote = text[0]
    if quote == "`":
        return text[1:-1].replace("\r", "")
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            if ch == quote:
                raise ValueError("invalid syntax")
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(body):
            raise ValueError("invalid syntax")
        esc = body[i + 1]
        i += 2
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
        elif esc == quote:
            out.append(esc)
        elif esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i : i + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError("invalid syntax")
            code = int(digits, 16)
            if esc != "x" and (code > 0x10FFFF or 0xD800 <= code < 0xE000):
                raise ValueError("invalid syntax")
            out.append(chr(code) if esc != "x" else chr(code) if code < 0x80 else bytes([code]).decode("latin-1"))
            i += width
        elif esc in "01234567":
            digits = body[i - 1 : i + 2]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError("invalid syntax")
            out.append(chr(int(digits, 8)))
            i += 2
        else:
            raise ValueError("invalid syntax")
    result = "".join(out)
    if quote == "'" and len(result) != 1:
        raise ValueError("invalid syntax")
    return result


def _number(tok: Token) -> Number:
    text = tok.val
    if tok.typ is T.CHAR:
        try:
            code = ord(unquote(text))
        except ValueError:
            raise ParseError(f"malformed character constant: {text}", tok.pos) from None
        return Number(tok.pos, text, True, code, True, float(code), is_char=True)
    if text.endswith("i"):
        raise ParseError(f"complex number {text} is not supported", tok.pos)
    is_int, ival = False, 0
    try:
        ival = int(text.replace("0", "0o", 1) if _OCTAL_INT.fullmatch(text) else text, 0)
        is_int = -(2**63) <= ival < 2**63
    except ValueError:
        pass
    if is_int:
        return Number(tok.pos, text, True, ival, True, float(ival))
    try:
        lower = text.lower()
        fval = float.fromhex(text) if lower.lstrip("+-").startswith("0x") else float(text)
        if math.isinf(fval):  # Go's ParseFloat: out of range (a literal cannot spell Inf)
            raise OverflowError(text)
    except (ValueError, OverflowError):
        raise ParseError(f"illegal number syntax: {go_quote(text)}", tok.pos) from None
    if not any(c in text for c in ".eEpP") or (lower.lstrip("+-").startswith(("0x", "0b", "0o")) and "p" not in lower):
        raise ParseError(f"integer overflow: {go_quote(text)}", tok.pos)
    as_int = fval == int(fval) and -(2**63) <= fval < 2**63 if fval == fval and abs(fval) != float("inf") else False
    return Number(tok.pos, text, as_int, int(fval) if as_int else 0, True, fval)


def _describe(tok: Token) -> str:
    if tok.typ is T.EOF:
        return "EOF"
    if tok.typ is T.RIGHT:
        return '"}}"'
    if tok.typ is T.KEYWORD:
        return f"<{tok.val}>"
    return repr(tok.val) if tok.typ is not T.STRING else tok.val


class _ControlParser(ABC):
    """Tokens, trees, actions and control structures."""

    def __init__(self, tokens: list[Token], funcs: Container[str], trees: dict[str, Tree]) -> None:
        self.toks = tokens
        self.i = 0
        self.funcs = funcs
        self.trees = trees
        self.tree = Tree("")
        self.vars: list[tuple[str, int]] = []
        self.range_depth = 0
        self.depth = 0  # nesting of pipelines and control structures

    # --- tokens
    def next(self) -> Token:
        tok = self.toks[self.i]
        if tok.typ is not T.EOF:
            self.i += 1
        return tok

    def peek(self) -> Token:
        return self.toks[self.i]

    def next_non_space(self) -> Token:
        tok = self.next()
        while tok.typ is T.SPACE:
            tok = self.next()
        return tok

    def peek_non_space(self) -> Token:
        j = self.i
        while self.toks[j].typ is T.SPACE:
            j += 1
        self.i = j
        return self.toks[j]

    def backup(self) -> None:
        self.i -= 1

    def fail(self, message: str, pos: int) -> ParseError:
        return ParseError(message, pos)

    def unexpected(self, tok: Token, context: str) -> ParseError:
        return ParseError(f"unexpected {_describe(tok)} in {context}", tok.pos)

    def expect(self, typ: T, context: str) -> Token:
        tok = self.next_non_space()
        if tok.typ is not typ:
            raise self.unexpected(tok, context)
        return tok

    # --- trees
    def start_tree(self, name: str) -> tuple[Tree, list[tuple[str, int]], int]:
        saved = (self.tree, self.vars, self.range_depth)
        self.tree = Tree(name)
        self.vars = [("$", 0)]
        self.range_depth = 0
        return saved

    def add_tree(self, tree: Tree, pos: int) -> None:
        old = self.trees.get(tree.name)
        if old is not None and not _is_empty(old.root) and not _is_empty(tree.root):
            raise ParseError(f"template: multiple definition of template {go_quote(tree.name)}", pos)
        if old is None or _is_empty(old.root):
            self.trees[tree.name] = tree

    def parse_main(self, name: str) -> Tree:
        self.start_tree(name)
        main = self.tree
        while self.peek().typ is not T.EOF:
            if self.peek().typ is T.LEFT:
                mark = self.i
                self.next()
                tok = self.next_non_space()
                if tok.typ is T.KEYWORD and tok.val == "define":
                    self.parse_definition(tok.pos)
                    self.tree = main
                    self.vars = [("$", 0)]
                    continue
                self.i = mark
            node = self.text_or_action()
            if isinstance(node, (_End, _Else)):
                raise ParseError(f"unexpected {node.describe()}", node.pos)
            if node is not None:
                main.root.append(node)
        return main

    def parse_definition(self, pos: int) -> None:
        tok = self.next_non_space()
        if tok.typ not in (T.STRING, T.RAW):
            raise self.unexpected(tok, "define clause")
        name = self.unquote(tok)
        self.expect(T.RIGHT, "define clause")
        self.start_tree(name)
        tree = self.tree
        tree.root, end = self.item_list()
        if not isinstance(end, _End):
            raise ParseError(f"unexpected {end.describe()} in define clause", end.pos)
        self.add_tree(tree, pos)

    def item_list(self) -> tuple[list[Node], _End | _Else]:
        nodes: list[Node] = []
        while self.peek_non_space().typ is not T.EOF:
            node = self.text_or_action()
            if isinstance(node, (_End, _Else)):
                return nodes, node
            if node is not None:
                nodes.append(node)
        raise ParseError("unexpected EOF", self.peek().pos)

    def text_or_action(self) -> Node | None:
        tok = self.next_non_space()
        if tok.typ is T.TEXT:
            return Text(tok.pos, tok.val)
        if tok.typ is T.LEFT:
            return self.action()
        if tok.typ is T.COMMENT:
            return None
        raise self.unexpected(tok, "input")

    def action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ is T.KEYWORD:
            word = tok.val
            if word == "block":
                return self.block_control(tok.pos)
            if word in ("break", "continue"):
                end = self.next_non_space()
                if end.typ is not T.RIGHT:
                    raise self.unexpected(end, f"{{{{{word}}}}}")
                if not self.range_depth:
                    raise ParseError(f"{{{{{word}}}}} outside {{{{range}}}}", tok.pos)
                return Break(tok.pos) if word == "break" else Continue(tok.pos)
            if word == "else":
                peek = self.peek_non_space()
                if peek.typ is T.KEYWORD and peek.val in ("if", "with"):
                    return _Else(peek.pos)
                self.expect(T.RIGHT, "else")
                return _Else(tok.pos)
            if word == "end":
                self.expect(T.RIGHT, "end")
                return _End(tok.pos)
            if word in ("if", "range", "with"):
                return self.control(word, tok.pos)
            if word == "template":
                return self.template_control(tok.pos)
        self.backup()
        return Action(tok.pos, self.pipeline("command", T.RIGHT))

    def control(self, context: str, pos: int) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ParseError(f"the template nests more than {MAX_DEPTH} levels deep", pos)
            return self._control(context, pos)
        finally:
            self.depth -= 1

    def _control(self, context: str, pos: int) -> Node:
        mark = len(self.vars)
        pipe = self.pipeline(context, T.RIGHT)
        if context == "range":
            self.range_depth += 1
        body, nxt = self.item_list()
        if context == "range":
            self.range_depth -= 1
        orelse: list[Node] | None = None
        if isinstance(nxt, _Else):
            peek = self.peek()
            if context in ("if", "with") and peek.typ is T.KEYWORD and peek.val == context:
                self.next()
                orelse = [self.control(context, peek.pos)]
            else:
                orelse, end = self.item_list()
                if not isinstance(end, _End):
                    raise ParseError(f"expected end; found {end.describe()}", end.pos)
        del self.vars[mark:]
        if context == "if":
            return If(pos, pipe, body, orelse)
        if context == "with":
            return With(pos, pipe, body, orelse)
        return Range(pos, pipe, body, orelse)

    def template_name(self, context: str) -> str:
        tok = self.next_non_space()
        if tok.typ not in (T.STRING, T.RAW):
            raise self.unexpected(tok, context)
        return self.unquote(tok)

    def template_control(self, pos: int) -> Node:
        name = self.template_name("template clause")
        pipe = None
        if self.next_non_space().typ is not T.RIGHT:
            self.backup()
            pipe = self.pipeline("template clause", T.RIGHT)
        return Template(pos, name, pipe)

    def block_control(self, pos: int) -> Node:
        name = self.template_name("block clause")
        pipe = self.pipeline("block clause", T.RIGHT)
        saved = self.start_tree(name)
        tree = self.tree
        tree.root, end = self.item_list()
        if not isinstance(end, _End):
            raise ParseError(f"unexpected {end.describe()} in block clause", end.pos)
        self.add_tree(tree, pos)
        self.tree, self.vars, self.range_depth = saved
        return Template(pos, name, pipe)

    @abstractmethod
    def pipeline(self, context: str, end: T) -> Pipe:
        """Provided by the subclass."""

    @abstractmethod
    def unquote(self, tok: Token) -> str:
        """Provided by the subclass."""


class _Parser(_ControlParser):
    """Pipelines, commands and operands; variables and functions are checked here."""

    def declare(self, name: str) -> int:
        slot = self.tree.nslots
        self.tree.nslots += 1
        self.vars.append((name, slot))
        return slot

    def lookup(self, name: str) -> int:
        for vname, slot in reversed(self.vars):
            if vname == name:
                return slot
        return -1

    def pipeline(self, context: str, end: T) -> Pipe:
        self.depth += 1
        try:
            return self._pipeline(context, end)
        finally:
            self.depth -= 1

    def _pipeline(self, context: str, end: T) -> Pipe:
        start = self.peek_non_space()
        if self.depth > MAX_DEPTH:
            raise ParseError(f"the template nests more than {MAX_DEPTH} levels deep", start.pos)
        pipe = Pipe(start.pos, [], False, [])
        pending: list[str] = []
        while True:  # declarations
            var = self.peek_non_space()
            if var.typ is not T.VARIABLE:
                break
            mark = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt.typ in (T.ASSIGN, T.DECLARE):
                self.next()
                pipe.is_assign = nxt.typ is T.ASSIGN
                for name in [*pending, var.val]:
                    slot = self.lookup(name) if pipe.is_assign else -1
                    if slot < 0 and pipe.is_assign:  # assigning an undeclared variable fails when it runs
                        pipe.decls.append((name, -1 - self.declare(name)))
                    else:
                        pipe.decls.append((name, slot if pipe.is_assign else self.declare(name)))
                break
            if nxt.typ is T.PUNCT and nxt.val == ",":
                self.next()
                pending.append(var.val)
                if context == "range" and len(pending) < 2:
                    after = self.peek_non_space()
                    if after.typ in (T.VARIABLE, T.RIGHT, T.RPAREN):
                        continue
                    raise ParseError("range can only initialize variables", after.pos)
                raise ParseError(f"too many declarations in {context}", nxt.pos)
            self.i = mark
            break
        while True:
            tok = self.next_non_space()
            if tok.typ is end:
                self.check_pipeline(pipe, context, tok.pos)
                return pipe
            if tok.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                raise self.unexpected(tok, context)

    def check_pipeline(self, pipe: Pipe, context: str, pos: int) -> None:
        if not pipe.cmds:
            raise ParseError(f"missing value for {context}", pos)
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (Bool, Dot, Nil, Number, String)):
                raise ParseError(f"non executable command in pipeline stage {i + 2}", cmd.pos)

    def command(self) -> Command:
        cmd = Command(self.peek_non_space().pos, [])
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ is T.SPACE:
                continue
            if tok.typ in (T.RIGHT, T.RPAREN):
                self.backup()
            elif tok.typ is not T.PIPE:
                raise self.unexpected(tok, "operand")
            break
        if not cmd.args:
            raise ParseError("empty command", cmd.pos)
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ is T.FIELD:
            names: list[str] = []
            while self.peek().typ is T.FIELD:
                names.append(self.next().val[1:])
            if isinstance(node, Field):
                return Field(node.pos, node.names + tuple(names))
            if isinstance(node, Variable):
                return Variable(node.pos, node.name, node.slot, node.names + tuple(names))
            if isinstance(node, (Bool, String, Number, Nil, Dot)):
                raise ParseError(f"unexpected . after term {_node_text(node)!r}", node.pos)
            return Chain(node.pos, node, tuple(names))
        return node

    def term(self) -> Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        if typ is T.IDENT:
            if tok.val not in self.funcs:
                raise ParseError(f"function {go_quote(tok.val)} not defined", tok.pos)
            return Identifier(tok.pos, tok.val)
        if typ is T.DOT:
            return Dot(tok.pos)
        if typ is T.NIL:
            return Nil(tok.pos)
        if typ is T.VARIABLE:
            parts = tok.val.split(".")
            slot = self.lookup(parts[0])
            if slot < 0:
                raise ParseError(f"undefined variable {go_quote(parts[0])}", tok.pos)
            return Variable(tok.pos, parts[0], slot, ())
        if typ is T.FIELD:
            return Field(tok.pos, (tok.val[1:],))
        if typ is T.BOOL:
            return Bool(tok.pos, tok.val == "true")
        if typ in (T.NUMBER, T.CHAR):
            return _number(tok)
        if typ is T.LPAREN:
            return self.pipeline("parenthesized pipeline", T.RPAREN)
        if typ in (T.STRING, T.RAW):
            return String(tok.pos, self.unquote(tok), tok.val)
        self.backup()
        return None

    def unquote(self, tok: Token) -> str:
        try:
            return unquote(tok.val)
        except ValueError:
            raise ParseError(f"invalid syntax in string {tok.val}", tok.pos) from None


MAX_DEPTH: Final = 100  # nested parentheses and blocks; keeps parsing and execution within Python's stack

_OPERAND_START: Final = frozenset(
    {T.BOOL, T.CHAR, T.DOT, T.FIELD, T.IDENT, T.NUMBER, T.NIL, T.RAW, T.STRING, T.VARIABLE, T.LPAREN}
)


class _End(Node):
    __slots__ = ()

    def describe(self) -> str:
        return "{{end}}"


class _Else(Node):
    __slots__ = ()

    def describe(self) -> str:
        return "{{else}}"


def _is_empty(nodes: list[Node]) -> bool:
    return all(isinstance(n, Text) and not n.text.strip() for n in nodes)


def _node_text(node: Node) -> str:
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, String):
        return node.quoted
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Nil):
        return "nil"
    return "."


def parse_trees(src: str, name: str, funcs: Container[str]) -> tuple[Tree, dict[str, Tree]]:
    """Parse ``src``: the main tree and the named templates it defines (including itself under ``name``)."""
    try:
        tokens = lex(src)
    except LexError as err:
        raise ParseError(str(err), err.pos) from None
    trees: dict[str, Tree] = {}
    parser = _Parser(tokens, funcs, trees)
    main = parser.parse_main(name)
    if name not in trees or _is_empty(trees[name].root):
        trees[name] = main
    return main, trees
