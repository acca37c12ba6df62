"""Execution: parse trees compiled to Python closures, with Go's ``text/template`` semantics (``exec.go``).

Expressions compile to ``ev(dot, vars) -> value`` and statements to ``run(dot, vars, out)``; ``vars`` is the
template's frame of variable slots (slot 0 is ``$``). Errors are raised as :class:`ExecError` with the source
offset of the node being evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, Literal

from ..errors import go_quote
from .nodes import (
    Action,
    Bool,
    Break,
    Chain,
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
from .sig import GO_TYPE_NAMES, sig_of
from .values import I64, MISSING, FuncError, go_type, print_value, sort_keys, truth

__all__ = ["Compiled", "ExecError", "compile_trees"]

Ev = Callable[[object, list[object]], object]
Run = Callable[[object, list[object], list[str]], None]
Cmd = Callable[[object, list[object], object], object]
MissingKey = Literal["default", "zero", "error"]


class ExecError(Exception):
    """An execution error at source offset ``pos``."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_NOFINAL: Final = object()  # no value piped in from a previous command
_CALL_ERRORS: Final = (FuncError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, OverflowError)
_LAZY: Final = frozenset({"and", "or"})


class Compiled:
    """The compiled templates of one parse: name -> (run, number of slots)."""

    def __init__(self) -> None:
        self.templates: dict[str, tuple[Run, int]] = {}
        self.depth = 0


def compile_trees(
    trees: Mapping[str, Tree], funcs: Mapping[str, Callable[..., object]], missing_key: MissingKey
) -> Compiled:
    compiled = Compiled()
    for name, tree in trees.items():
        compiler = _Compiler(funcs, missing_key, compiled)
        compiled.templates[name] = (compiler.block(tree.root), tree.nslots)
    return compiled


def _ideal(node: Number) -> object:
    """Go's idealConstant: the value of a number literal with no type context."""
    text = node.text.lstrip("+-").lower()
    if not node.is_char and any(c in text for c in ".ep") and not (text.startswith("0x") and "p" not in text):
        return node.float_value
    if node.is_int:
        return node.int_value
    raise ExecError(f"{node.text} overflows int", node.pos)


def _literal_text(node: Node) -> str:
    if isinstance(node, String):
        return node.quoted
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, Nil):
        return "nil"
    if isinstance(node, Dot):
        return "."
    if isinstance(node, Field):
        return "." + ".".join(node.names)
    if isinstance(node, Variable):
        return ".".join((node.name, *node.names))
    if isinstance(node, Identifier):
        return node.name
    return "(pipeline)"


def _validate(value: object, typ: str, pos: int) -> object:
    """Go's validateType: a runtime value passed to a parameter of Go type ``typ``."""
    if typ == "value":
        return value
    if value is MISSING:
        if typ == "any":
            return None
        if typ == "list":
            return []
        if typ == "map":
            return {}
        raise ExecError(f"invalid value; expected {GO_TYPE_NAMES[typ]}", pos)
    if typ == "any":
        return value
    ok = False
    if typ == "str":
        ok = isinstance(value, str)
    elif typ == "int":
        ok = type(value) is int
    elif typ == "i64":
        ok = type(value) is I64
    elif typ == "float":
        ok = isinstance(value, float)
    elif typ == "bool":
        ok = isinstance(value, bool)
    elif typ == "list":
        ok = isinstance(value, (list, tuple))
    elif typ == "map":
        ok = isinstance(value, Mapping)
    if not ok:
        got = "interface {}" if value is None else go_type(value)
        raise ExecError(f"wrong type for value; expected {GO_TYPE_NAMES[typ]}; got {got}", pos)
    return value


class _Compiler:
    def __init__(self, funcs: Mapping[str, Callable[..., object]], missing_key: MissingKey, out: Compiled) -> None:
        self.funcs = funcs
        self.missing_key = missing_key
        self.compiled = out

    # --- statements
    def block(self, nodes: list[Node]) -> Run:
        runs = [self.stmt(n) for n in nodes]
        if len(runs) == 1:
            return runs[0]

        def run(dot: object, vars: list[object], out: list[str]) -> None:
            for r in runs:
                r(dot, vars, out)

        return run

    def stmt(self, node: Node) -> Run:
        if isinstance(node, Text):
            text = node.text

            def run_text(dot: object, vars: list[object], out: list[str]) -> None:
                out.append(text)

            return run_text
        if isinstance(node, Action):
            ev = self.pipe(node.pipe)
            if node.pipe.decls:

                def run_decl(dot: object, vars: list[object], out: list[str]) -> None:
                    ev(dot, vars)

                return run_decl

            def run_action(dot: object, vars: list[object], out: list[str]) -> None:
                out.append(print_value(ev(dot, vars)))

            return run_action
        if isinstance(node, (If, With)):
            return self.if_with(node)
        if isinstance(node, Range):
            return self.range_(node)
        if isinstance(node, Template):
            return self.template(node)
        if isinstance(node, Break):

            def run_break(dot: object, vars: list[object], out: list[str]) -> None:
                raise _Break

            return run_break
        if isinstance(node, Continue):

            def run_continue(dot: object, vars: list[object], out: list[str]) -> None:
                raise _Continue

            return run_continue
        raise AssertionError(node)

    def if_with(self, node: If | With) -> Run:
        cond = self.pipe(node.pipe)
        body = self.block(node.body)
        orelse = self.block(node.orelse) if node.orelse is not None else None
        is_with = isinstance(node, With)

        def run(dot: object, vars: list[object], out: list[str]) -> None:
            val = cond(dot, vars)
            if truth(val):
                body(val if is_with else dot, vars, out)
            elif orelse is not None:
                orelse(dot, vars, out)

        return run

    def range_(self, node: Range) -> Run:
        decls = node.pipe.decls
        seq = self.pipe(node.pipe)
        body = self.block(node.body)
        orelse = self.block(node.orelse) if node.orelse is not None else None
        elem_slot = decls[-1][1] if decls else -1
        index_slot = decls[0][1] if len(decls) == 2 else -1
        pos = node.pos

        def run(dot: object, vars: list[object], out: list[str]) -> None:
            val = seq(dot, vars)
            pairs: list[tuple[object, object]]
            if isinstance(val, (list, tuple)):
                pairs = list(enumerate(val))
            elif isinstance(val, Mapping):
                pairs = [(k, val[k]) for k in sort_keys(val)]
            elif isinstance(val, int) and not isinstance(val, bool):
                if index_slot >= 0:
                    raise ExecError(f"can't use {val} to iterate over more than one variable", pos)
                pairs = [(MISSING, type(val)(i)) for i in range(int(val))]
            elif val is MISSING:
                pairs = []
            else:
                raise ExecError(f"range can't iterate over {print_value(val)}", pos)
            if not pairs:
                if orelse is not None:
                    orelse(dot, vars, out)
                return
            for index, elem in pairs:
                if elem_slot >= 0:
                    vars[elem_slot] = elem
                if index_slot >= 0:
                    vars[index_slot] = index
                try:
                    body(elem, vars, out)
                except _Continue:
                    continue
                except _Break:
                    break

        return run

    def template(self, node: Template) -> Run:
        arg = self.pipe(node.pipe) if node.pipe is not None else None
        name, pos = node.name, node.pos
        compiled = self.compiled

        def run(dot: object, vars: list[object], out: list[str]) -> None:
            found = compiled.templates.get(name)
            if found is None:
                raise ExecError(f"template {go_quote(name)} not defined", pos)
            value = arg(dot, vars) if arg is not None else MISSING
            body, nslots = found
            frame: list[object] = [None] * nslots
            frame[0] = value
            if compiled.depth >= 10000:
                raise ExecError("exceeded maximum template depth (10000)", pos)
            compiled.depth += 1
            try:
                body(value, frame, out)
            except RecursionError:
                raise ExecError("exceeded maximum template depth", pos) from None
            finally:
                compiled.depth -= 1

        return run

    # --- pipelines and commands
    def pipe(self, pipe: Pipe) -> Ev:
        cmds = [self.command(c.args) for c in pipe.cmds]
        decls = pipe.decls
        first = cmds[0]
        rest = cmds[1:]
        if not decls and not rest:

            def ev1(dot: object, vars: list[object]) -> object:
                value = first(dot, vars, _NOFINAL)
                return MISSING if value is None else value

            return ev1
        slots = [slot for _, slot in decls]
        names = [name for name, _ in decls]
        pos = pipe.pos

        def ev(dot: object, vars: list[object]) -> object:
            value = first(dot, vars, _NOFINAL)
            for cmd in rest:
                value = cmd(dot, vars, value)
            if value is None:
                value = MISSING
            for name, slot in zip(names, slots, strict=True):
                if slot < 0:
                    raise ExecError(f"undefined variable: {name}", pos)
                vars[slot] = value
            return value

        return ev

    def command(self, args: list[Node]) -> Cmd:
        head = args[0]
        if isinstance(head, Identifier):
            return self.call(head, args[1:])
        if isinstance(head, (Field, Variable, Chain)):
            get = self.operand(head, allow_args=len(args) > 1)
            text = _literal_text(head)
            pos = head.pos
            has_args = len(args) > 1

            def cmd_field(dot: object, vars: list[object], final: object) -> object:
                if has_args or final is not _NOFINAL:
                    raise ExecError(f"can't give argument to non-function {text}", pos)
                return get(dot, vars)

            if not has_args:

                def cmd_plain(dot: object, vars: list[object], final: object) -> object:
                    if final is not _NOFINAL:
                        raise ExecError(f"can't give argument to non-function {text}", pos)
                    return get(dot, vars)

                return cmd_plain
            return cmd_field
        pos = head.pos
        text = _literal_text(head)
        if len(args) > 1:

            def cmd_bad(dot: object, vars: list[object], final: object) -> object:
                raise ExecError(f"can't give argument to non-function {text}", pos)

            return cmd_bad
        if isinstance(head, Nil):

            def cmd_nil(dot: object, vars: list[object], final: object) -> object:
                raise ExecError("nil is not a command", pos)

            return cmd_nil
        get = self.operand(head)

        def cmd_value(dot: object, vars: list[object], final: object) -> object:
            if final is not _NOFINAL:
                raise ExecError(f"can't give argument to non-function {text}", pos)
            return get(dot, vars)

        return cmd_value

    def operand(self, node: Node, allow_args: bool = False) -> Ev:
        """An operand's value with no type context (Go's evalEmptyInterface / evalArg with a nil type)."""
        if isinstance(node, Dot):
            return lambda dot, vars: dot
        if isinstance(node, Field):
            return self.chain(lambda dot, vars: dot, node.names, node.pos)
        if isinstance(node, Variable):
            slot = node.slot
            if not node.names:
                return lambda dot, vars: vars[slot]
            return self.chain(lambda dot, vars: vars[slot], node.names, node.pos)
        if isinstance(node, Chain):
            if isinstance(node.node, Nil):
                pos = node.pos

                def ev_nil(dot: object, vars: list[object]) -> object:
                    raise ExecError("indirection through explicit nil", pos)

                return ev_nil
            return self.chain(self.operand(node.node), node.names, node.pos)
        if isinstance(node, Pipe):
            return self.pipe(node)
        if isinstance(node, Identifier):
            call = self.call(node, [])
            return lambda dot, vars: call(dot, vars, _NOFINAL)
        if isinstance(node, String):
            text = node.text
            return lambda dot, vars: text
        if isinstance(node, Bool):
            flag = node.value
            return lambda dot, vars: flag
        if isinstance(node, Number):
            number = node

            def ev_number(dot: object, vars: list[object]) -> object:
                return _ideal(number)

            try:
                value = _ideal(number)
            except ExecError:
                return ev_number
            return lambda dot, vars: value
        if isinstance(node, Nil):
            return lambda dot, vars: None
        raise AssertionError(node)

    def chain(self, base: Ev, names: tuple[str, ...], pos: int) -> Ev:
        mode = self.missing_key

        def ev(dot: object, vars: list[object]) -> object:
            recv = base(dot, vars)
            for name in names:
                if recv.__class__ is dict:
                    try:
                        recv = recv[name]
                        continue
                    except KeyError:
                        pass
                recv = _field(recv, name, pos, mode)
            return recv

        return ev

    def call(self, ident: Identifier, args: list[Node]) -> Cmd:
        name, pos = ident.name, ident.pos
        fn = self.funcs.get(name)
        if fn is None:
            raise ExecError(f"{go_quote(name)} is not a defined function", pos)
        sig = sig_of(fn)
        nparams = len(sig.params)
        if name in _LAZY and sig.variadic == "value":
            return self.lazy(name, [self.arg(a, "value") for a in args], pos)
        fixed = [self.arg(a, sig.params[i]) for i, a in enumerate(args[:nparams])]
        extra = [self.arg(a, sig.variadic) for a in args[nparams:]] if sig.variadic else []
        nargs = len(args)
        if not sig.variadic and nargs > nparams:
            have = nargs

            def too_many(dot: object, vars: list[object], final: object) -> object:
                got = have + (final is not _NOFINAL)
                raise ExecError(f"wrong number of args for {name}: want {nparams} got {got}", pos)

            return too_many
        evs = fixed + extra
        final_type_fixed = sig.params[nargs] if nargs < nparams else None
        variadic = sig.variadic

        def cmd(dot: object, vars: list[object], final: object) -> object:
            argv = [ev(dot, vars) for ev in evs]
            if final is not _NOFINAL:
                typ = final_type_fixed if final_type_fixed is not None else variadic or "any"
                argv.append(_validate(final, typ, pos))
            if len(argv) < nparams or (not variadic and len(argv) != nparams):
                want = f"at least {nparams}" if variadic else str(nparams)
                raise ExecError(f"wrong number of args for {name}: want {want} got {len(argv)}", pos)
            try:
                return fn(*argv)
            except ExecError:
                raise
            except _CALL_ERRORS as err:
                raise ExecError(f"error calling {name}: {err}", pos) from None

        return cmd

    def lazy(self, name: str, evs: list[Ev], pos: int) -> Cmd:
        want_true = name == "or"

        def cmd(dot: object, vars: list[object], final: object) -> object:
            if not evs and final is _NOFINAL:
                raise ExecError(f"wrong number of args for {name}: want at least 1 got 0", pos)
            value: object = MISSING
            for ev in evs:
                value = ev(dot, vars)
                if truth(value) == want_true:
                    return value
            if final is not _NOFINAL:
                value = final
            return value

        return cmd

    def arg(self, node: Node, typ: str) -> Ev:
        """Go's evalArg: an argument evaluated against its parameter's Go type."""
        pos = node.pos
        if isinstance(node, (Dot, Field, Variable, Pipe, Identifier, Chain)):
            get = self.operand(node)
            if typ == "value":
                return get
            return lambda dot, vars: _validate(get(dot, vars), typ, pos)
        if isinstance(node, Nil):
            if typ in ("any", "list", "map"):
                return lambda dot, vars: None
            if typ == "value":
                return lambda dot, vars: MISSING
            return self.fail(f"cannot assign nil to {GO_TYPE_NAMES[typ]}", pos)
        if typ in ("any", "value"):
            return self.operand(node)
        found = _literal_text(node)
        value: object
        if typ == "str":
            if not isinstance(node, String):
                return self.fail(f"expected string; found {found}", pos)
            value = node.text
        elif typ in ("int", "i64"):
            if not (isinstance(node, Number) and node.is_int):
                return self.fail(f"expected integer; found {found}", pos)
            value = node.int_value if typ == "int" else I64(node.int_value)
        elif typ == "float":
            if not (isinstance(node, Number) and node.is_float):
                return self.fail(f"expected float; found {found}", pos)
            value = node.float_value
        elif typ == "bool":
            if not isinstance(node, Bool):
                return self.fail(f"expected bool; found {found}", pos)
            value = node.value
        else:
            return self.fail(f"can't handle {found} for arg of type {GO_TYPE_NAMES[typ]}", pos)
        return lambda dot, vars: value

    @staticmethod
    def fail(message: str, pos: int) -> Ev:
        def ev(dot: object, vars: list[object]) -> object:
            raise ExecError(message, pos)

        return ev


def _field(recv: object, name: str, pos: int, mode: MissingKey) -> object:
    """Go's evalField on a receiver that is not a dict holding ``name``."""
    if isinstance(recv, Mapping):
        if name in recv:
            return recv[name]
        if mode == "error":
            raise ExecError(f'map has no entry for key "{name}"', pos)
        return None if mode == "zero" else MISSING
    if recv is MISSING:
        if mode == "error":
            raise ExecError(f'nil data; no entry for key "{name}"', pos)
        return MISSING
    if recv is None:
        raise ExecError(f"nil pointer evaluating interface {{}}.{name}", pos)
    raise ExecError(f"can't evaluate field {name} in type {go_type(recv)}", pos)
