"""A safe arithmetic calculator tool: walks the expression's ``ast`` instead of calling ``eval``.

Allowed: int/float literals, ``+ - * / // % **``, unary ``+``/``-``, parentheses, the
functions in :data:`FUNCTIONS` and the constants ``pi`` and ``e``. Everything else (names,
attributes, other calls, strings, subscripts, lambdas, comprehensions, ...) is refused with
:class:`CalculatorError`, as are resource bombs such as ``9**9**9``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from ._errors import CalculatorError, structured_tool

MAX_EXPRESSION_CHARS = 500
MAX_EXPONENT = 10_000
MAX_INT_BITS = 14_000  # ~4200 decimal digits, below Python's int->str conversion limit
MAX_ROUND_DIGITS = 100

Number = int | float

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}


def _round(x: Number, ndigits: Number | None = None) -> Number:
    if ndigits is None:
        return round(x)
    if not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS:
        limit = MAX_ROUND_DIGITS
        raise CalculatorError(f"round() digits must be an integer in [-{limit}, {limit}]")
    return round(x, ndigits)


FUNCTIONS: dict[str, Callable[..., Number]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": _round,
    "min": min,
    "max": max,
    "log": math.log,  # log(x) is natural log; log(x, base)
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "floor": math.floor,
    "ceil": math.ceil,
}


def _pow(base: Number, exp: Number) -> Number:
    if abs(exp) > MAX_EXPONENT:
        raise CalculatorError(f"exponent {exp} is too large (limit {MAX_EXPONENT})")
    if isinstance(base, int) and isinstance(exp, int) and exp > 0:
        if (abs(base).bit_length() - 1) * exp > MAX_INT_BITS:
            raise CalculatorError(f"result of {base}**{exp} would be too large")
    return base**exp


BINARY_OPS: dict[type[ast.operator], Callable[[Any, Any], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _pow,
}
UNARY_OPS: dict[type[ast.unaryop], Callable[[Any], Number]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


def _check(value: Any) -> Number:
    """Reject results that are not plain finite numbers of reasonable size."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = type(value).__name__
        raise CalculatorError(f"result of type {kind} is not supported (real numbers only)")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalculatorError(f"intermediate result is too large (over {MAX_INT_BITS} bits)")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculatorError("result is not a finite number")
    return value


def _eval(node: ast.AST) -> Number:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise CalculatorError(f"literal {node.value!r:.40} is not allowed (numbers only)")
        return _check(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY_OPS:
        left, right = _eval(node.left), _eval(node.right)
        return _check(BINARY_OPS[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY_OPS:
        return _check(UNARY_OPS[type(node.op)](_eval(node.operand)))
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise CalculatorError(f"name {node.id!r} is not allowed (constants: pi, e)")
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = name or type(node.func).__name__.lower()
            allowed = ", ".join(FUNCTIONS)
            raise CalculatorError(f"call to {shown!r} is not allowed (functions: {allowed})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise CalculatorError(f"{name}() takes plain positional arguments only")
        return _check(FUNCTIONS[name](*[_eval(a) for a in node.args]))
    if isinstance(node, ast.BinOp):
        hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
        raise CalculatorError(f"operator {type(node.op).__name__} is not allowed{hint}")
    if isinstance(node, ast.UnaryOp):
        raise CalculatorError(f"operator {type(node.op).__name__} is not allowed")
    raise CalculatorError(f"{type(node).__name__} expressions are not allowed (arithmetic only)")


def evaluate(expression: str) -> Number:
    """Evaluate an arithmetic expression safely; raise CalculatorError if it is refused."""
    if not isinstance(expression, str) or not expression.strip():
        raise CalculatorError("expression must be a non-empty string")
    if len(expression) > MAX_EXPRESSION_CHARS:
        n, limit = len(expression), MAX_EXPRESSION_CHARS
        raise CalculatorError(f"expression is too long ({n} chars, limit {limit})")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError) as e:  # ValueError: e.g. NUL byte in source
        raise CalculatorError(f"invalid expression: {getattr(e, 'msg', e)}") from None
    except (RecursionError, MemoryError):
        raise CalculatorError("expression is nested too deeply") from None
    try:
        return _eval(tree)
    except CalculatorError:
        raise
    except ZeroDivisionError:
        raise CalculatorError("division by zero") from None
    except (ArithmeticError, ValueError, TypeError) as e:  # overflow, math domain, bad arg count
        raise CalculatorError(f"cannot evaluate: {e}") from None
    except RecursionError:
        raise CalculatorError("expression is nested too deeply") from None


def format_number(value: Number) -> str:
    """Ints print exactly; floats with up to 12 significant digits (0.1+0.2 -> '0.3')."""
    return str(value) if isinstance(value, int) else format(value, ".12g")


def _calculate(expression: str) -> str:
    return format_number(evaluate(expression))


class _CalculatorArgs(BaseModel):
    expression: str = Field(description="Arithmetic expression, e.g. '(3 + 4) * sqrt(2) / 7'.")


calculator = structured_tool(
    _calculate,
    "calculator",
    "Evaluate an arithmetic expression exactly and return the result. Supports numbers, "
    "+ - * / // % ** (power), parentheses, constants pi and e, and the functions "
    f"{', '.join(FUNCTIONS)} (log(x) is natural log, log(x, base) for other bases; "
    "sin/cos take radians). No variables or other Python.",
    _CalculatorArgs,
)
