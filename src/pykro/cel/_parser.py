"""A CEL parser in Python (recursive descent with one function per precedence level, following cel-spec's grammar).

Negative numeric literals are folded (``-1`` is ``Literal(-1)``) unless a member operation follows the number
(``-1.size()`` stays a negation), so every int64 value, including the minimum, is writable.
"""

from __future__ import annotations

from pykro.cel._ast import (
    Binary,
    Call,
    Conditional,
    Ident,
    Index,
    ListExpr,
    Literal,
    MapExpr,
    Node,
    Select,
    StructExpr,
    UInt,
    Unary,
)
from pykro.cel._errors import CelCompileError
from pykro.cel._lexer import RESERVED, Token, tokenize

__all__ = ["macro_variable_count", "parse"]

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
RELATIONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})
# member-call macros: name -> allowed argument counts; the leading arguments are variable names
MACRO_VARS = {
    ("all", 2): 1,
    ("exists", 2): 1,
    ("exists_one", 2): 1,
    ("map", 2): 1,
    ("map", 3): 1,
    ("filter", 2): 1,
    ("all", 3): 2,
    ("exists", 3): 2,
    ("existsOne", 3): 2,
    ("exists_one", 3): 2,
    ("transformList", 3): 2,
    ("transformList", 4): 2,
    ("transformMap", 3): 2,
    ("transformMap", 4): 2,
    ("transformMapEntry", 3): 2,
    ("transformMapEntry", 4): 2,
    ("sortBy", 2): 1,
    ("optMap", 2): 1,
    ("optFlatMap", 2): 1,
}


def parse(expression: str) -> Node:
    """Parse CEL source into an AST; raise :class:`CelCompileError` (with a 0-based position) on bad input."""
    try:
        return _Parser(expression).parse()
    except RecursionError:
        # CEL's own parser stops far earlier (kro's engine limits expression recursion to 32 levels)
        raise CelCompileError(
            f"expression nesting exceeds the parser's limit in {expression[:80]!r}...", expression=expression
        ) from None


def macro_variable_count(call: Call) -> int:
    """How many leading arguments of ``call`` are variables bound by a comprehension macro (0 if none)."""
    if call.target is None:
        return 0
    if call.function == "bind" and len(call.args) == 3 and call.target == Ident("cel"):
        return 1
    return MACRO_VARS.get((call.function, len(call.args)), 0)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    # -- token helpers -------------------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def is_op(self, op: str, k: int = 0) -> bool:
        t = self.peek(k) if k else self.tok
        return t.kind == "OP" and t.value == op

    def is_word(self, word: str) -> bool:
        return self.tok.kind == "IDENT" and self.tok.value == word

    def accept(self, op: str) -> bool:
        if self.is_op(op):
            self.i += 1
            return True
        return False

    def expect(self, op: str) -> Token:
        if not self.is_op(op):
            raise self.error(f"expected {op!r}, found {self.describe(self.tok)}")
        tok = self.tok
        self.i += 1
        return tok

    def describe(self, tok: Token) -> str:
        return "end of input" if tok.kind == "EOF" else repr(self.text[tok.pos : tok.end])

    def error(self, what: str, pos: int | None = None) -> CelCompileError:
        at = self.tok.pos if pos is None else pos
        return CelCompileError(
            f"syntax error at offset {at}: {what} in {self.text!r}", expression=self.text, position=at
        )

    # -- grammar ---------------------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "EOF":
            raise self.error(f"unexpected {self.describe(self.tok)}")
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > 250:
            raise self.error("expression nested too deeply")
        cond = self.or_expr()
        if self.accept("?"):
            then = self.or_expr()
            self.expect(":")
            cond = Conditional(cond, then, self.expr())
        self.depth -= 1
        return cond

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.accept("||"):
            node = Binary("||", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.relation()
        while self.accept("&&"):
            node = Binary("&&", node, self.relation())
        return node

    def relation(self) -> Node:
        node = self.addition()
        while (self.tok.kind == "OP" and self.tok.value in RELATIONS) or self.is_word("in"):
            op = str(self.tok.value)
            self.i += 1
            node = Binary(op, node, self.addition())
        return node

    def addition(self) -> Node:
        node = self.multiplication()
        while self.tok.kind == "OP" and self.tok.value in ("+", "-"):
            op = str(self.tok.value)
            self.i += 1
            node = Binary(op, node, self.multiplication())
        return node

    def multiplication(self) -> Node:
        node = self.unary()
        while self.tok.kind == "OP" and self.tok.value in ("*", "/", "%"):
            op = str(self.tok.value)
            self.i += 1
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.is_op("!") or self.is_op("-"):
            op = str(self.tok.value)
            count = 0
            while self.is_op(op):
                count += 1
                self.i += 1
            if op == "-" and self.tok.kind in ("INT", "DOUBLE") and not self.is_op(".", 1) and not self.is_op("[", 1):
                literal = self.number(negative=True)
                count -= 1
                node = self.member_suffix(literal)
            else:
                node = self.member()
            for _ in range(count):
                node = Unary(op, node)
            return node
        return self.member()

    def number(self, *, negative: bool) -> Node:
        tok = self.tok
        self.i += 1
        if tok.kind == "DOUBLE":
            value = float(tok.value)  # type: ignore[arg-type]
            return Literal(-value if negative else value)
        number = int(tok.value)  # type: ignore[call-overload]
        if negative:
            number = -number
        if not INT_MIN <= number <= INT_MAX:
            raise self.error("integer literal out of range", tok.pos)
        return Literal(number)

    def member(self) -> Node:
        return self.member_suffix(self.primary())

    def member_suffix(self, node: Node) -> Node:
        while True:
            if self.accept("."):
                optional = self.accept("?")
                tok = self.tok
                if tok.kind not in ("IDENT", "ESCIDENT"):
                    raise self.error(f"expected a field name after '.', found {self.describe(tok)}")
                self.i += 1
                name = str(tok.value)
                if tok.kind == "IDENT" and not optional and self.is_op("("):
                    node = self.macro_check(Call(name, self.call_args(), node), tok.pos)
                else:
                    node = Select(node, name, optional)
            elif self.accept("["):
                optional = self.accept("?")
                index = self.expr()
                self.expect("]")
                node = Index(node, index, optional)
            else:
                return node

    def call_args(self) -> tuple[Node, ...]:
        self.expect("(")
        args: list[Node] = []
        if not self.is_op(")"):
            args.append(self.expr())
            while self.accept(","):
                args.append(self.expr())
        self.expect(")")
        return tuple(args)

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("INT", "DOUBLE"):
            return self.number(negative=False)
        if tok.kind == "UINT":
            self.i += 1
            return UInt(int(tok.value))  # type: ignore[call-overload]
        if tok.kind in ("STRING", "BYTES"):
            self.i += 1
            return Literal(tok.value)  # type: ignore[arg-type]
        if tok.kind == "IDENT" and tok.value in ("true", "false", "null"):
            self.i += 1
            return Literal({"true": True, "false": False, "null": None}[str(tok.value)])
        if tok.kind == "IDENT" or (self.is_op(".") and self.peek().kind == "IDENT"):
            return self.identifier()
        if self.accept("("):
            node = self.expr()
            self.expect(")")
            return node
        if self.accept("["):
            return self.list_literal()
        if self.accept("{"):
            return self.map_literal()
        raise self.error(f"unexpected {self.describe(tok)}")

    def identifier(self) -> Node:
        start = self.tok.pos
        leading = "." if self.accept(".") else ""
        tok = self.tok
        if tok.kind != "IDENT" or tok.value == "in":
            raise self.error(f"expected an identifier, found {self.describe(tok)}")
        if tok.value in RESERVED:
            raise self.error(f"reserved identifier {tok.value!r}")
        # a message literal: IDENT ('.' IDENT)* '{'
        k = 1
        while self.is_op(".", k) and self.peek(k + 1).kind == "IDENT":
            k += 2
        if self.is_op("{", k):
            parts = [str(self.peek(j).value) for j in range(0, k, 2)]
            self.i += k + 1
            return self.struct_literal(leading + ".".join(parts))
        self.i += 1
        name = leading + str(tok.value)
        if self.is_op("("):
            return self.macro_check(Call(name, self.call_args()), start)
        return Ident(name)

    def list_literal(self) -> Node:
        items: list[Node] = []
        optional: list[int] = []
        while not self.is_op("]"):
            if self.accept("?"):
                optional.append(len(items))
            items.append(self.expr())
            if not self.accept(","):
                break
        self.expect("]")
        return ListExpr(tuple(items), tuple(optional))

    def map_literal(self) -> Node:
        entries: list[tuple[Node, Node]] = []
        optional: list[int] = []
        while not self.is_op("}"):
            if self.accept("?"):
                optional.append(len(entries))
            key = self.expr()
            self.expect(":")
            entries.append((key, self.expr()))
            if not self.accept(","):
                break
        self.expect("}")
        return MapExpr(tuple(entries), tuple(optional))

    def struct_literal(self, name: str) -> Node:
        fields: list[tuple[str, Node]] = []
        optional: list[int] = []
        while not self.is_op("}"):
            if self.accept("?"):
                optional.append(len(fields))
            tok = self.tok
            if tok.kind not in ("IDENT", "ESCIDENT"):
                raise self.error(f"expected a field name, found {self.describe(tok)}")
            self.i += 1
            self.expect(":")
            fields.append((str(tok.value), self.expr()))
            if not self.accept(","):
                break
        self.expect("}")
        return StructExpr(name, tuple(fields), tuple(optional))

    def macro_check(self, call: Call, pos: int) -> Call:
        """Reject malformed macro calls the way cel-go's parser does."""
        if call.target is None and call.function == "has":
            if len(call.args) != 1 or not isinstance(call.args[0], Select) or call.args[0].optional:
                raise self.error("invalid argument to has() macro: expected a field selection such as has(a.b)", pos)
            return call
        for arg in call.args[: macro_variable_count(call)]:
            if not isinstance(arg, Ident) or arg.name.startswith("."):
                raise self.error(f"argument of {call.function}() must be a simple variable name", pos)
        return call
