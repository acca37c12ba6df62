"""Execution: parse trees compiled to Python closures, with Go's ``text/template`` semantics (``exec.go``).

Expressions compile to ``ev(dot, vars) -> value`` and statements to ``run(dot, vars, out)``; ``vars`` is the
template's frame of variable slots (slot 0 is ``$``). Errors are raised as :class:`ExecError` with the source
offset of the node being evaluated.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Final

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
from .operands import ExecError, MissingKey, converter, field, ideal, literal_text, raise_at, validate
from .sig import GO_TYPE_NAMES, sig_of
from .values import I64, MISSING, FuncError, print_value, sort_keys, truth

__all__ = ["Compiled", "ExecError", "compile_trees"]

Ev = Callable[[object, list[object]], object]
Run = Callable[[object, list[object], list[str]], None]
Cmd = Callable[[object, list[object], object], object]


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


MAX_CALL_DEPTH: Final = 100  # nested {{template}} calls, well within Python's stack
_NOFINAL: Final = object()  # no value piped in from a previous command
_CALL_ERRORS: Final = (FuncError, ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, OverflowError)
_LAZY: Final = frozenset({"and", "or"})


class Compiled:
    """The compiled templates of one parse: name -> (run, number of slots)."""

    def __init__(self) -> None:
        self.templates: dict[str, tuple[Run, int]] = {}


def compile_trees(
    trees: Mapping[str, Tree], funcs: Mapping[str, Callable[..., object]], missing_key: MissingKey
) -> Compiled:
    compiled = Compiled()
    for name, tree in trees.items():
        compiler = _Compiler(funcs, missing_key, compiled)
        compiled.templates[name] = (compiler.block(tree.root), tree.nslots)
    return compiled


def _printed(value: object, pos: int) -> str:
    try:
        return print_value(value)
    except FuncError as err:
        raise ExecError(str(err), pos) from None


class _Statements(ABC):
    """Compiles statements: text, actions and control structures."""

    def __init__(self, funcs: Mapping[str, Callable[..., object]], missing_key: MissingKey, out: Compiled) -> None:
        self.funcs = funcs
        self.missing_key = missing_key
        self.compiled = out

    # --- statements
    def block(self, nodes: list[Node]) -> Run:
        # Each step is a text to append or a statement to run; printing actions are an expression to print.
        steps: list[tuple[int, object]] = []
        positions: dict[int, int] = {}
        for n in nodes:
            if isinstance(n, Text):
                steps.append((0, n.text))
            elif isinstance(n, Action) and not n.pipe.decls:
                ev = self.pipe(n.pipe)
                positions[id(ev)] = n.pos
                steps.append((1, ev))
            else:
                steps.append((2, self.stmt(n)))
        if len(steps) == 1 and steps[0][0] == 2:
            return steps[0][1]  # type: ignore[return-value]

        def run(dot: object, vars: list[object], out: list[str]) -> None:
            append = out.append
            for kind, step in steps:
                if kind == 0:
                    append(step)  # type: ignore[arg-type]
                elif kind == 1:
                    value = step(dot, vars)  # type: ignore[operator]
                    append(value if value.__class__ is str else _printed(value, positions[id(step)]))
                else:
                    step(dot, vars, out)  # type: ignore[operator]

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
        elem_slot = decls[-1][1] if decls else None
        index_slot = decls[0][1] if len(decls) == 2 else None
        undefined = next((name for name, slot in decls if slot < 0), None)
        pos = node.pos

        def run(dot: object, vars: list[object], out: list[str]) -> None:
            val = seq(dot, vars)
            pairs: list[tuple[object, object]]
            if isinstance(val, (list, tuple)):
                pairs = list(enumerate(val))
            elif isinstance(val, Mapping):
                pairs = [(k, val[k]) for k in sort_keys(val)]
            elif isinstance(val, int) and not isinstance(val, bool):
                if index_slot is not None:
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
            if undefined is not None:
                raise ExecError(f"undefined variable: {undefined}", pos)
            for index, elem in pairs:
                if elem_slot is not None:
                    vars[elem_slot] = elem
                if index_slot is not None:
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
            depth = vars[-1]
            assert isinstance(depth, int)
            if depth >= MAX_CALL_DEPTH:
                raise ExecError(f"template {go_quote(name)} is called more than {MAX_CALL_DEPTH} levels deep", pos)
            frame: list[object] = [None] * (nslots + 1)  # the last slot holds the call depth
            frame[0] = value
            frame[-1] = depth + 1
            body(value, frame, out)  # a RecursionError goes up to Template.execute, which retries with more stack

        return run

    @abstractmethod
    def pipe(self, pipe: Pipe) -> Ev:
        """Provided by the subclass."""


class _Operands(_Statements):
    """Compiles pipelines, commands and operands."""

    @abstractmethod
    def call(self, ident: Identifier, args: list[Node], has_final: bool) -> Cmd:
        """Provided by the subclass."""

    def pipe(self, pipe: Pipe) -> Ev:
        cmds = [self.command(c.args, has_final=i > 0) for i, c in enumerate(pipe.cmds)]
        decls = pipe.decls
        first = cmds[0]
        rest = cmds[1:]
        if not decls and not rest:

            def ev1(dot: object, vars: list[object]) -> object:
                value = first(dot, vars, _NOFINAL)
                return MISSING if value is None else value

            return ev1
        if not decls and len(rest) == 1:
            second = rest[0]

            def ev2(dot: object, vars: list[object]) -> object:
                value = second(dot, vars, first(dot, vars, _NOFINAL))
                return MISSING if value is None else value

            return ev2
        if not decls and len(rest) == 2:
            second, third = rest

            def ev3(dot: object, vars: list[object]) -> object:
                value = third(dot, vars, second(dot, vars, first(dot, vars, _NOFINAL)))
                return MISSING if value is None else value

            return ev3
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

    def command(self, args: list[Node], has_final: bool = False) -> Cmd:
        head = args[0]
        if isinstance(head, Identifier):
            return self.call(head, args[1:], has_final)
        if isinstance(head, (Field, Variable, Chain)):
            get = self.operand(head, allow_args=len(args) > 1)
            text = literal_text(head)
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
        text = literal_text(head)
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
            call = self.call(node, [], has_final=False)
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
                return ideal(number)

            try:
                value = ideal(number)
            except ExecError:
                return ev_number
            return lambda dot, vars: value
        if isinstance(node, Nil):
            return lambda dot, vars: None
        raise AssertionError(node)

    def chain(self, base: Ev, names: tuple[str, ...], pos: int) -> Ev:
        mode = self.missing_key
        if len(names) == 1:
            name = names[0]

            def ev1(dot: object, vars: list[object]) -> object:
                recv = base(dot, vars)
                if recv.__class__ is dict:
                    try:
                        return recv[name]
                    except KeyError:
                        pass
                return field(recv, name, pos, mode)

            return ev1

        def ev(dot: object, vars: list[object]) -> object:
            recv = base(dot, vars)
            for name in names:
                if recv.__class__ is dict:
                    try:
                        recv = recv[name]
                        continue
                    except KeyError:
                        pass
                recv = field(recv, name, pos, mode)
            return recv

        return ev


class _Compiler(_Operands):
    """Compiles function calls and their arguments (Go's evalCall and evalArg)."""

    def call(self, ident: Identifier, args: list[Node], has_final: bool) -> Cmd:
        name, pos = ident.name, ident.pos
        fn = self.funcs.get(name)
        if fn is None:
            raise ExecError(f"{go_quote(name)} is not a defined function", pos)
        sig = sig_of(fn)
        nparams = len(sig.params)
        variadic = sig.variadic
        if name in _LAZY and variadic == "value":
            return self.lazy(name, [self.arg(a, "value") for a in args], pos)
        got = len(args) + has_final
        if got < nparams or (not variadic and got != nparams):
            message = f"wrong number of args for {name}: want {'at least ' if variadic else ''}{nparams} got {got}"
            return lambda dot, vars, final: raise_at(message, pos)
        types = [*sig.params, *([variadic] * (got - nparams) if variadic else [])]
        evs = [self.arg(a, types[i], name) for i, a in enumerate(args)]
        final_type = types[-1] if has_final else ""

        def invoke(argv: tuple[object, ...] | list[object]) -> object:
            try:
                return fn(*argv)
            except ExecError:
                raise
            except _CALL_ERRORS as err:
                raise ExecError(f"error calling {name}: {err}", pos) from None

        if has_final:
            conv = converter(final_type, pos, name)
            if not evs:
                return lambda dot, vars, final: invoke((conv(final),))
            if len(evs) == 1:
                e0 = evs[0]
                return lambda dot, vars, final: invoke((e0(dot, vars), conv(final)))
            if len(evs) == 2:
                e0, e1 = evs
                return lambda dot, vars, final: invoke((e0(dot, vars), e1(dot, vars), conv(final)))
            return lambda dot, vars, final: invoke([*(ev(dot, vars) for ev in evs), conv(final)])
        if not evs:
            return lambda dot, vars, final: invoke(())
        if len(evs) == 1:
            e0 = evs[0]
            return lambda dot, vars, final: invoke((e0(dot, vars),))
        if len(evs) == 2:
            e0, e1 = evs
            return lambda dot, vars, final: invoke((e0(dot, vars), e1(dot, vars)))
        return lambda dot, vars, final: invoke([ev(dot, vars) for ev in evs])

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

    def arg(self, node: Node, typ: str, fn: str = "") -> Ev:
        """Go's evalArg: an argument evaluated against its parameter's Go type."""
        pos = node.pos
        if isinstance(node, (Dot, Field, Variable, Pipe, Identifier, Chain)):
            get = self.operand(node)
            if typ == "value":
                return get
            if typ == "any":

                def ev_any(dot: object, vars: list[object]) -> object:
                    value = get(dot, vars)
                    return None if value is MISSING else value

                return ev_any
            return lambda dot, vars: validate(get(dot, vars), typ, pos, fn)
        if isinstance(node, Nil):
            if typ in ("any", "list", "map"):
                return lambda dot, vars: None
            if typ == "value":
                return lambda dot, vars: MISSING
            return self.fail(
                f"{fn}: cannot assign nil to {GO_TYPE_NAMES[typ]}"
                if fn
                else f"cannot assign nil to {GO_TYPE_NAMES[typ]}",
                pos,
            )
        if typ in ("any", "value"):
            return self.operand(node)
        found = literal_text(node)
        value: object
        if typ == "str":
            if not isinstance(node, String):
                return self.fail(
                    f"{fn}: expected string; found {found}" if fn else f"expected string; found {found}", pos
                )
            value = node.text
        elif typ in ("int", "i64"):
            if not (isinstance(node, Number) and node.is_int):
                return self.fail(
                    f"{fn}: expected integer; found {found}" if fn else f"expected integer; found {found}", pos
                )
            value = node.int_value if typ == "int" else I64(node.int_value)
        elif typ == "float":
            if not (isinstance(node, Number) and node.is_float):
                return self.fail(
                    f"{fn}: expected float; found {found}" if fn else f"expected float; found {found}", pos
                )
            value = node.float_value
        elif typ == "bool":
            if not isinstance(node, Bool):
                return self.fail(f"{fn}: expected bool; found {found}" if fn else f"expected bool; found {found}", pos)
            value = node.value
        else:
            return self.fail(
                f"{fn}: can't handle {found} for arg of type {GO_TYPE_NAMES[typ]}"
                if fn
                else f"can't handle {found} for arg of type {GO_TYPE_NAMES[typ]}",
                pos,
            )
        return lambda dot, vars: value

    @staticmethod
    def fail(message: str, pos: int) -> Ev:
        def ev(dot: object, vars: list[object]) -> object:
            raise ExecError(message, pos)

        return ev
