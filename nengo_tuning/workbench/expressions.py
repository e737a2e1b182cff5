"""The expression language of decoded functions: ``"x**2"`` -> a function of ``x``.

A function to decode can be given as a string, e.g. on the command line. This
module turns such a string into a function of ``x`` (a numpy vector, one point of
the represented space) without handing anything to Python's ``eval``: the string
is parsed with `ast`, checked, and compiled into a small tree of numpy
operations.

What an expression may use
--------------------------
* ``x``, ``x[i]`` (a constant whole-number index), the constants ``pi`` and ``e``
  and real numbers;
* ``+ - * / // % **``, unary ``+ -`` and comparisons ``< <= > >= == !=``
  (true is 1, false is 0: ``(x > 0) * x``);
* the functions of :data:`FUNCTIONS`, with numpy's argument names
  (``clip(x, 0, 1)``, ``clip(x, a_min=0, a_max=1)``, ``where(x > 0, x, 0)``);
* brackets ``[a, b]`` around the whole expression, for a vector output.

What is refused before anything is evaluated, each with a message saying why:
expressions longer than :data:`MAX_LENGTH` characters or nested deeper than
:data:`MAX_DEPTH`; numbers larger than :data:`MAX_LITERAL`; constant exponents
larger than :data:`MAX_EXPONENT` in magnitude (``9**9**9``, ``10**10**6``);
strings, complex numbers, lists used as operands (Python would repeat them:
``[x]*10**9``), attributes, unknown names, wrong function arguments, and
constant parts that are not finite (``1/0``). Evaluation is in float64, so its
cost is bounded by the expression's length; an output that is not finite, is
complex, larger than :data:`MAX_VALUE` in magnitude or not a number or a vector,
and an exponent that depends on ``x`` and exceeds :data:`MAX_EXPONENT`, raise an
`ExpressionError` naming the point.
"""

import ast
import operator
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FUNCTIONS",
    "FUNCTION_NAMESPACE",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_LITERAL",
    "MAX_VALUE",
    "ExpressionError",
    "apply_function",
    "function_name",
    "parse_function",
]

#: Longest expression accepted, in characters.
MAX_LENGTH = 1000
#: Deepest nesting of operations accepted (``((x))`` is not nesting, ``-(-x)`` is).
MAX_DEPTH = 50
#: Largest magnitude of a number written in an expression.
MAX_LITERAL = 1e12
#: Largest magnitude of an exponent (``x**100`` is the most); one that depends on
#: ``x`` is checked where it is evaluated.
MAX_EXPONENT = 100
#: Largest magnitude of a function's value (``x // 1e-300`` is refused).
MAX_VALUE = 1e12


class ExpressionError(ValueError):
    """A function expression that is not accepted, or that fails at a point."""


@dataclass(frozen=True)
class _Function:
    """A numpy function allowed in expressions and its parameter names."""

    function: object
    parameters: tuple

    def signature(self, name):
        return f"{name}({', '.join(self.parameters)})"


_ONE = ("x",)

#: Functions an expression may call, with numpy's names for their arguments.
FUNCTIONS = {
    "abs": _Function(np.abs, _ONE),
    "sin": _Function(np.sin, _ONE),
    "cos": _Function(np.cos, _ONE),
    "tan": _Function(np.tan, _ONE),
    "tanh": _Function(np.tanh, _ONE),
    "exp": _Function(np.exp, _ONE),
    "log": _Function(np.log, _ONE),
    "sqrt": _Function(np.sqrt, _ONE),
    "sign": _Function(np.sign, _ONE),
    "maximum": _Function(np.maximum, ("x1", "x2")),
    "minimum": _Function(np.minimum, ("x1", "x2")),
    "clip": _Function(np.clip, ("a", "a_min", "a_max")),
    "where": _Function(np.where, ("condition", "x", "y")),
}
_CONSTANTS = {"pi": np.pi, "e": np.e}

#: Every name an expression may use besides ``x``: constants and numpy functions.
FUNCTION_NAMESPACE = {
    **_CONSTANTS,
    **{name: spec.function for name, spec in FUNCTIONS.items()},
}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_OPERATORS = "+ - * / // % ** < <= > >= == !="


#: Nodes that are not operations (for the depth bound).
_LEAVES = (ast.Name, ast.Constant)


def _allowed_names():
    return ", ".join(["x", *_CONSTANTS, *FUNCTIONS])


def _bracket_depth(expression):
    """Deepest bracket nesting in the raw text (checked before Python parses it)."""
    depth = deepest = 0
    for char in expression:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _operation_depth(tree):
    """Operations nested along the deepest path of an AST (no recursion: a
    hostile tree may be very deep).

    Only operations count: ``-x`` is 1 deep, ``-(-x)`` 2, ``x`` and ``3`` 0;
    the ``Expression`` wrapper, operators and contexts are not operations.
    """
    deepest = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr) and not isinstance(node, _LEAVES):
            depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return deepest


def _tree_size(tree):
    """Operations and leaves of an AST: what one evaluation at one point costs."""
    return sum(isinstance(node, ast.expr) for node in ast.walk(tree))


class _Compiler:
    """Compiles a checked expression tree into nested numpy closures.

    Each ``compile_*`` method returns ``(evaluate, constant)``: ``evaluate(x)``
    gives the value at ``x``; ``constant`` is the value when it does not depend on
    ``x`` (folded once, here, so that exponent bounds and non-finite constants are
    found before any evaluation), else None.
    """

    def __init__(self, expression):
        self.expression = expression

    def error(self, message):
        return ExpressionError(f"function {self.expression!r}: {message}")

    def compile(self, node, top_level=False):
        kind = type(node).__name__
        method = getattr(self, f"compile_{kind.lower()}", None)
        if method is None or (kind in ("List", "Tuple") and not top_level):
            raise self.error(self._not_allowed(node))
        return method(node)

    def _not_allowed(self, node):
        if isinstance(node, (ast.List, ast.Tuple)):
            return (
                "brackets [...] build the output vector and must enclose the whole "
                "expression; they cannot be an operand (write 3 * x, not [x] * 3)"
            )
        if isinstance(node, ast.Attribute):
            return f"attributes ({ast.unparse(node)}) are not allowed"
        if isinstance(node, ast.BoolOp):
            return "'and'/'or' are not allowed; use where(...) or (a > 0) * (b > 0)"
        return f"{ast.unparse(node)!r} ({type(node).__name__}) is not allowed"

    def constant(self, value, node):
        """A folded constant, refused unless it is a finite real number."""
        with np.errstate(all="ignore"):
            value = np.asarray(value)
        if np.iscomplexobj(value) or not np.all(np.isfinite(value)):
            raise self.error(f"{ast.unparse(node)!r} is not a finite real number")
        return (lambda x: value), value

    def compile_expression(self, node):
        return self.compile(node.body, top_level=True)

    def compile_constant(self, node):
        value = node.value
        if isinstance(value, complex):
            raise self.error("complex numbers are not allowed")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"{ast.unparse(node)} is not allowed (only numbers)")
        if abs(value) > MAX_LITERAL:
            raise self.error(
                f"the number {ast.unparse(node)[:20]} is too large "
                f"(at most {MAX_LITERAL:g} in magnitude)"
            )
        return self.constant(float(value), node)

    def compile_name(self, node):
        if node.id == "x":
            return (lambda x: x), None
        if node.id in _CONSTANTS:
            return self.constant(_CONSTANTS[node.id], node)
        if node.id in FUNCTIONS:
            raise self.error(f"{node.id} is a function: call it, e.g. {node.id}(x)")
        raise self.error(f"unknown name {node.id!r} (allowed: {_allowed_names()})")

    def compile_unaryop(self, node):
        if type(node.op) not in _UNARY:
            raise self.error(f"operator in {ast.unparse(node)!r} is not allowed")
        op = _UNARY[type(node.op)]
        operand, constant = self.compile(node.operand)
        if constant is not None:
            return self.constant(op(constant), node)
        return (lambda x: op(operand(x))), None

    def compile_binop(self, node):
        if type(node.op) not in _BINARY:
            raise self.error(
                f"operator in {ast.unparse(node)!r} is not allowed "
                f"(allowed: {_OPERATORS})"
            )
        op = _BINARY[type(node.op)]
        left, left_constant = self.compile(node.left)
        right, right_constant = self.compile(node.right)
        exponent_too_large = (
            isinstance(node.op, ast.Pow)
            and right_constant is not None
            and np.any(np.abs(right_constant) > MAX_EXPONENT)
        )
        if exponent_too_large:
            raise self.error(
                f"the exponent in {ast.unparse(node)[:40]!r} is "
                f"{float(np.max(np.abs(right_constant))):.6g}; at most "
                f"{MAX_EXPONENT} in magnitude is allowed"
            )
        is_division = isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod))
        if is_division and right_constant is not None and np.any(right_constant == 0):
            raise self.error(f"division by zero in {ast.unparse(node)!r}")
        if left_constant is not None and right_constant is not None:
            with np.errstate(all="ignore"):
                return self.constant(op(left_constant, right_constant), node)
        if isinstance(node.op, ast.Pow) and right_constant is None:
            return self._bounded_power(left, right, node), None
        return (lambda x: op(left(x), right(x))), None

    def _bounded_power(self, base, exponent, node):
        """``base ** exponent`` for an exponent that depends on x, bounded as a
        constant one is (``x**(x-x+101)`` is refused where it is evaluated)."""
        text = ast.unparse(node)[:40]

        def power(x):
            value = exponent(x)
            largest = np.max(np.abs(value)) if np.size(value) else 0.0
            if not largest <= MAX_EXPONENT:
                raise self.error(
                    f"the exponent in {text!r} is {float(largest):.6g} at x = {x}; "
                    f"at most {MAX_EXPONENT} in magnitude is allowed"
                )
            return base(x) ** value

        return power

    def compile_compare(self, node):
        operands = [self.compile(node.left)]
        operands += [self.compile(comparator) for comparator in node.comparators]
        ops = []
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise self.error(
                    f"comparison in {ast.unparse(node)!r} is not allowed "
                    f"(allowed: {_OPERATORS})"
                )
            ops.append(_COMPARE[type(op)])
        evaluates = [evaluate for evaluate, _ in operands]

        def compare(x):
            values = [evaluate(x) for evaluate in evaluates]
            result = ops[0](values[0], values[1])
            for op, left, right in zip(ops[1:], values[1:], values[2:]):
                result = result & op(left, right)  # a < b < c, element-wise
            return result.astype(float)

        return compare, None

    def compile_subscript(self, node):
        value, _ = self.compile(node.value)
        index_node = node.slice
        negative = isinstance(index_node, ast.UnaryOp) and isinstance(
            index_node.op, ast.USub
        )
        literal = index_node.operand if negative else index_node
        is_whole_number = isinstance(literal, ast.Constant) and (
            type(literal.value) is int
        )
        if not is_whole_number:
            raise self.error(
                f"in {ast.unparse(node)!r} the index must be a whole number, "
                "such as x[0] or x[1]"
            )
        index = -literal.value if negative else literal.value
        text = ast.unparse(node)

        def subscript(x):
            array = value(x)
            size = np.size(array)
            if np.ndim(array) != 1 or not -size <= index < size:
                raise self.error(
                    f"{text}: index {index} is out of range for a value with "
                    f"{size} element{'s' * (size != 1)} (x has {np.size(x)} "
                    "dimension(s))"
                )
            return array[index]

        return subscript, None

    def compile_call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            if name is None:
                raise self.error("only the functions listed may be called")
            if name == "x" or name in _CONSTANTS:
                raise self.error(f"{name} is not a function and cannot be called")
            raise self.error(f"unknown name {name!r} (allowed: {_allowed_names()})")
        spec = FUNCTIONS[name]
        bound = self._bind_arguments(node, name, spec)
        arguments = [self.compile(argument) for argument in bound]
        evaluates = [evaluate for evaluate, _ in arguments]
        function = spec.function
        if all(constant is not None for _, constant in arguments):
            with np.errstate(all="ignore"):
                value = function(*[constant for _, constant in arguments])
            return self.constant(value, node)
        return (lambda x: function(*[evaluate(x) for evaluate in evaluates])), None

    def _bind_arguments(self, node, name, spec):
        """The argument nodes of a call, in ``spec.parameters`` order."""
        usage = f"{name} takes {spec.signature(name)}"
        if any(isinstance(argument, ast.Starred) for argument in node.args):
            raise self.error(f"'*' arguments are not allowed; {usage}")
        if len(node.args) > len(spec.parameters):
            raise self.error(f"too many arguments to {name}; {usage}")
        bound = dict(zip(spec.parameters, node.args))
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.error(f"'**' arguments are not allowed; {usage}")
            if keyword.arg not in spec.parameters:
                raise self.error(f"{name} has no argument {keyword.arg!r}; {usage}")
            if keyword.arg in bound:
                raise self.error(f"{keyword.arg!r} given twice to {name}; {usage}")
            bound[keyword.arg] = keyword.value
        missing = [parameter for parameter in spec.parameters if parameter not in bound]
        if missing:
            raise self.error(
                f"{name}() is missing {', '.join(missing)}; {usage}, "
                f"e.g. {_EXAMPLES.get(name, name + '(x)')}"
            )
        return [bound[parameter] for parameter in spec.parameters]

    def compile_list(self, node):
        items = [self.compile(item) for item in node.elts]
        evaluates = [evaluate for evaluate, _ in items]
        text = ast.unparse(node)

        def vector(x):
            values = [np.asarray(evaluate(x)) for evaluate in evaluates]
            for i, value in enumerate(values):
                if value.size != 1:
                    raise self.error(
                        f"item {i} of {text} has shape {value.shape}; each item of "
                        "[...] must be one number (use x[0], x[1], ...)"
                    )
            return np.array([value.item() for value in values])

        return vector, None

    compile_tuple = compile_list


_EXAMPLES = {
    "clip": "clip(x, 0, 1)",
    "where": "where(x > 0, x, 0)",
    "maximum": "maximum(x, 0)",
    "minimum": "minimum(x, 0)",
}


def _check_text(expression):
    """Bounds that hold before Python's parser sees the text."""
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(
            f"function {expression[:30]!r}...: {len(expression)} characters; at most "
            f"{MAX_LENGTH} are allowed"
        )
    if _bracket_depth(expression) > MAX_DEPTH:
        raise ExpressionError(
            f"function {expression[:30]!r}: brackets nested deeper than {MAX_DEPTH}"
        )


def _compile_expression(expression):
    _check_text(expression)
    if not expression:
        raise ExpressionError("function '': empty expression")
    try:
        with warnings.catch_warnings():
            # e.g. "2x": Python warns before it fails; the error below says it all
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(expression, mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"cannot parse function {expression!r}") from None
    depth = _operation_depth(tree)
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"function {expression[:30]!r}: operations nested {depth} deep; at most "
            f"{MAX_DEPTH} are allowed"
        )
    evaluate, _ = _Compiler(expression).compile(tree)
    return evaluate, _tree_size(tree)


def _checked_output(expression, value, x):
    """The value of the expression as a float vector, or a clear error."""
    value = np.asarray(value)
    if value.dtype.kind == "c":
        raise ExpressionError(f"function {expression!r} is complex at x = {x}")
    if value.dtype.kind != "f":
        value = value.astype(float)
    if value.ndim > 1 or value.size == 0:
        raise ExpressionError(
            f"function {expression!r} gives an output of shape {value.shape} at "
            f"x = {x}; a function gives a number or a vector"
        )
    if not np.isfinite(value).all():
        raise ExpressionError(f"function {expression!r} is {value} at x = {x}")
    if np.any(np.abs(value) > MAX_VALUE):
        raise ExpressionError(
            f"function {expression!r} is {value} at x = {x}; values at most "
            f"{MAX_VALUE:g} in magnitude are allowed (decoders of larger ones "
            "overflow)"
        )
    return value


def parse_function(function):
    """Return a function of ``x`` from a callable or an expression string.

    Parameters
    ----------
    function : callable or str
        A callable taking a 1-D array ``x`` (one point), or an expression in
        ``x`` such as ``"x"``, ``"x**2"``, ``"sin(pi * x)"``, ``"clip(x, 0, 1)"``,
        ``"where(x > 0, x, 0)"`` or ``"x[0] * x[1]"`` (the language is described
        in :mod:`nengo_tuning.workbench.expressions`).

    Returns
    -------
    function : callable
        The function; for strings, its ``__name__`` is the expression, its
        ``operations`` the number of operations and values one evaluation
        computes (what the command's time estimate counts), and it returns a
        float vector (a number for a one-element output).

    Raises
    ------
    ExpressionError
        (A `ValueError`.) If the expression does not parse or breaks a rule; the
        returned function raises it too where its value is not finite, complex,
        or not a number or a vector, or an index is out of range.
    """
    if callable(function):
        return function
    expression = str(function).strip()
    evaluate, size = _compile_expression(expression)

    def expression_function(x):
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):  # a non-finite value is raised below
            value = evaluate(x)
        return _checked_output(expression, value, x)

    expression_function.__name__ = expression
    expression_function.__qualname__ = expression
    expression_function.operations = size
    return expression_function


def function_name(function):
    """The name of a function to show in tables: the expression for strings."""
    return getattr(function, "__name__", repr(function))


def apply_function(function, points):
    """Evaluate ``function`` point by point, as Nengo does for connections.

    Parameters
    ----------
    function : callable
        A function of one point ``x``.
    points : (n_points, dimensions) array_like
        The points.

    Returns
    -------
    values : (n_points, size_out) ndarray
    """
    return np.array([np.atleast_1d(function(point)) for point in points], dtype=float)
