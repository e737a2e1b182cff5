"""Command-line values: their types, their bounds, and the messages that refuse them.

Each kind of value (`Number`, `WholeNumber`, `NeuronTypeName`,
`FunctionExpression`, `FolderPath`) parses the text a user typed and either
returns the value or raises `UsageError` with a one-line message naming what is
allowed; `Option` ties a kind to a flag, a default and a help line. The studies'
options are declared in :mod:`nengo_tuning.workbench.study_table`; the parser,
``--help`` and the reference page are generated from those declarations.
"""

import argparse
import contextvars
import inspect
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "NEURON_MODULES",
    "FolderPath",
    "FunctionExpression",
    "ModuleName",
    "NeuronTypeName",
    "Number",
    "Option",
    "UsageError",
    "WholeNumber",
    "default_of",
]


class UsageError(Exception):
    """A bad command-line argument: reported in one line, exit status 2."""


#: The modules the user named with ``--neuron-module``: besides the packages that
#: define neuron types, the only ones a ``--neuron-type`` name may import (set by
#: the command while it parses the arguments).
NEURON_MODULES = contextvars.ContextVar("neuron_modules", default=())


def default_of(function, parameter):
    """The default value of ``parameter`` in ``function``'s signature.

    Options whose default is the analysis function's own take it from there, so
    that the two cannot drift apart.
    """
    return inspect.signature(function).parameters[parameter].default


def _format_number(value):
    return f"{value:g}"


@dataclass(frozen=True)
class Number:
    """A finite real number in ``[low, high]`` (``unit`` is shown in messages)."""

    low: float
    high: float
    unit: str = ""

    def describe(self):
        unit = f" {self.unit}" if self.unit else ""
        sign = "a positive number" if self.low > 0 else "a number"
        low, high = _format_number(self.low), _format_number(self.high)
        return f"{sign} from {low} to {high}{unit}"

    def parse(self, text):
        try:
            value = float(text)
        except (TypeError, ValueError):
            raise UsageError(f"{text!r} is not a number") from None
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise UsageError(f"{text!r} must be {self.describe()}")
        return value


@dataclass(frozen=True)
class WholeNumber:
    """A whole number in ``[low, high]``."""

    low: int
    high: int

    def describe(self):
        sign = "a positive whole number" if self.low > 0 else "a whole number"
        return f"{sign} from {self.low} to {self.high}"

    def parse(self, text):
        try:
            value = int(str(text).strip())
        except ValueError:
            raise UsageError(f"{text!r} is not a whole number") from None
        if not self.low <= value <= self.high:
            raise UsageError(f"{text!r} must be {self.describe()}")
        return value


@dataclass(frozen=True)
class NeuronTypeName:
    """A neuron type, named as in Python (see `.resolve_neuron_type`)."""

    def describe(self):
        return (
            "a neuron type with a rate curve, from nengo, nengo_tuning, nengo_dl, "
            "nengo_extras, nengo_loihi, nengo_ocl or a --neuron-module (nothing "
            "else is imported), e.g. nengo.LIF, 'nengo.LIF(tau_ref=0.001)', "
            "nengo_tuning.ExactLIF"
        )

    def parse(self, text):
        import nengo

        from nengo_tuning.workbench.neuron_specs import (
            check_runnable,
            resolve_neuron_type,
        )

        try:
            neuron_type = resolve_neuron_type(text, modules=NEURON_MODULES.get())
        except ValueError as error:  # nengo's ValidationError is a ValueError too
            raise UsageError(str(error)) from None
        if isinstance(neuron_type, nengo.Direct):
            raise UsageError(
                f"{text!r} has no neurons and no rate curve; name a neuron model "
                "such as nengo.LIF"
            )
        try:
            check_runnable(neuron_type)
        except ValueError as error:
            raise UsageError(f"{text!r}: {error}") from None
        return neuron_type


@dataclass(frozen=True)
class ModuleName:
    """A dotted module name (imported only if a neuron type names it)."""

    def describe(self):
        return "a module name, e.g. mypackage.neurons"

    def parse(self, text):
        if not all(part.isidentifier() for part in str(text).split(".")):
            raise UsageError(f"{text!r} is not a module name")
        return str(text)


@dataclass(frozen=True)
class FunctionExpression:
    """A function of a scalar ``x``, finite on ``[-1, 1]`` (the studies' range)."""

    #: Points of the represented range where the function must be finite.
    check_points = np.linspace(-1.0, 1.0, 201)[:, None]

    def describe(self):
        return "an expression in x, e.g. x, 'x**2', 'sin(pi*x)', 'clip(x, 0, 1)'"

    def parse(self, text):
        from nengo_tuning.workbench.expressions import (
            ExpressionError,
            apply_function,
            parse_function,
        )

        try:
            function = parse_function(text)
            apply_function(function, self.check_points)
        except ExpressionError as error:
            raise UsageError(str(error)) from None
        return function


@dataclass(frozen=True)
class FolderPath:
    """A folder to write the report to (checked when the report is written)."""

    def describe(self):
        return "a new or empty folder, or an earlier report (replaced)"

    def parse(self, text):
        if not str(text).strip():
            raise UsageError("the folder name is empty")
        return str(text)


@dataclass(frozen=True)
class Option:
    """One command-line option: its flag, kind of value, default and help.

    Parameters
    ----------
    flag : str
        ``--name``; the value is stored as ``name`` with dashes as underscores.
    kind : Number or WholeNumber or NeuronTypeName or FunctionExpression
        Parses and bounds each value.
    default : object
        The default: a value or, for ``many`` options, a sequence of values, as
        the user would type them (numbers or strings); parsed by ``kind`` too.
    help : str
        What the option means (its bounds and default are appended).
    many : int
        0 for one value; else the largest number of values accepted.
    shown_default : str, optional
        How ``--help`` shows the default, when listing it would be too long.
    """

    flag: str
    kind: object
    default: object
    help: str
    many: int = 0
    shown_default: str = ""

    @property
    def dest(self):
        return self.flag.lstrip("-").replace("-", "_")

    def default_text(self):
        if self.shown_default:
            return self.shown_default
        values = self.default if self.many else [self.default]
        return " ".join(
            _format_number(v) if isinstance(v, (int, float)) else str(v) for v in values
        )

    def limits_text(self):
        each = "each " if self.many else ""
        count = f"; at most {self.many} values" if self.many else ""
        return f"{each}{self.kind.describe()}{count}"

    def help_text(self):
        text = f"{self.help}; {self.limits_text()} (default: {self.default_text()})"
        return text.replace("%", "%%")  # argparse formats help with %

    def parse(self, text):
        """Parse one value, naming the option when it is refused."""
        try:
            return self.kind.parse(text)
        except UsageError as error:
            raise UsageError(f"argument {self.flag}: {error}") from None

    def parse_all(self, texts):
        """Parse the option's value(s) as given (a list for ``many`` options)."""
        if not self.many:
            return self.parse(texts)
        if len(texts) > self.many:
            raise UsageError(
                f"argument {self.flag}: {len(texts)} values given; at most "
                f"{self.many} are allowed"
            )
        return [self.parse(text) for text in texts]

    def default_value(self):
        return self.parse_all(list(self.default) if self.many else self.default)

    def add_to(self, parser):
        """Add the option to an `argparse.ArgumentParser`.

        Values are kept as text here and parsed by `parse_all` afterwards, so that
        every refusal has the same one-line form.
        """
        parser.add_argument(
            self.flag,
            nargs="+" if self.many else None,
            default=argparse.SUPPRESS,
            metavar=self.dest.upper(),
            help=self.help_text(),
        )
