"""Declarative checks of the arguments of public functions.

One place turns a bad argument into an :class:`~b12stats.errors.OptionError`
(a bad option or argument) or a :class:`~b12stats.errors.DataValidationError`
(bad data), with a one-line message naming the argument and what was found,
in the spirit of scikit-learn's ``validate_params`` parameter constraints.

A public function declares what each argument may be::

    @validate_params(
        {"n": [Interval(Real, 4, None)], "method": [Options({"a", "b"})]},
    )
    def f(n, *, method="a"): ...

and, for arrays, converts them at entry with :func:`numeric_array`,
:func:`same_length`, :func:`cluster_ids`, :func:`as_rng` or
:func:`as_design`, which check and return the converted value.

Constraints
-----------
:class:`Interval`
    A real (or whole) number in a range; NaN and infinities are rejected unless
    the range reaches them.
:class:`Options`
    One of a set of values.
``"array-like"``, ``"dataframe"``, ``"rng"``, ``"design"``, ``"boolean"``,
``"str"``, ``None``
    Named constraints (see :func:`make_constraint`).
:class:`Limit`
    An integer at most a stated limit, with the reason (memory, time).

Examples
--------
>>> @validate_params({"n": [Interval(Real, 4, None)], "method": [Options({"a", "b"})]})
... def f(n, *, method="a"):
...     return n
>>> f(5)
5
>>> f(math.inf)
Traceback (most recent call last):
...
b12stats.errors.OptionError: n must be a finite number >= 4; got inf
>>> f(5, method="c")
Traceback (most recent call last):
...
b12stats.errors.OptionError: unknown method 'c'; expected one of: a, b
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from b12stats.errors import DataValidationError, OptionError

__all__ = [
    "UNIT_OPEN",
    "Integral",
    "Interval",
    "Limit",
    "Options",
    "Real",
    "as_design",
    "as_rng",
    "broadcast",
    "check_params",
    "check_workers",
    "cluster_ids",
    "make_constraint",
    "numeric_array",
    "same_length",
    "validate_params",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Most worker processes a call may start: more than a few per core only adds
#: start-up cost and memory (each worker holds a copy of the interpreter).
WORKERS_PER_CPU = 4


def _show(value: Any) -> str:
    """A short repr of what was found."""
    if isinstance(value, float | np.floating):
        return repr(float(value)) if math.isfinite(value) else str(float(value))
    if isinstance(value, np.ndarray | list | tuple) and np.size(value) > 3:
        head = ", ".join(_show(v) for v in list(np.ravel(np.asarray(value, dtype=object)))[:3])
        return f"{type(value).__name__} [{head}, ...] of length {np.size(value)}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Constraint:
    """A condition an argument must meet.

    Subclasses define :meth:`is_satisfied_by` and ``__str__`` (the wording
    after ``"<name> must be "``).
    """

    def is_satisfied_by(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


class Interval(Constraint):
    """A number of type ``kind`` between ``low`` and ``high``.

    Parameters
    ----------
    kind
        :class:`numbers.Real` or :class:`numbers.Integral` (whole numbers;
        a float such as ``4.0`` is accepted for ``Integral``).
    low, high
        Bounds; ``None`` for none.
    closed
        ``"both"`` (default), ``"left"``, ``"right"`` or ``"neither"``.

    Examples
    --------
    >>> Interval(Real, 0, 1, closed="neither").is_satisfied_by(1.0)
    False
    >>> str(Interval(Integral, 1, None))
    'a whole number >= 1'
    >>> Interval(Real, None, None).is_satisfied_by(float("nan"))
    False
    """

    def __init__(
        self,
        kind: type,
        low: float | None,
        high: float | None,
        *,
        closed: str = "both",
    ) -> None:
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"closed must be both/left/right/neither, got {closed!r}")
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
            return False
        x = float(value)
        if not math.isfinite(x):
            return False
        if self.kind is Integral and x != math.floor(x):
            return False
        lo_ok = self.low is None or (
            x >= self.low if self.closed in ("both", "left") else x > self.low
        )
        hi_ok = self.high is None or (
            x <= self.high if self.closed in ("both", "right") else x < self.high
        )
        return lo_ok and hi_ok

    def __str__(self) -> str:
        what = "a whole number" if self.kind is Integral else "a finite number"
        left = ">=" if self.closed in ("both", "left") else ">"
        right = "<=" if self.closed in ("both", "right") else "<"
        if self.low is not None and self.high is not None:
            lb = "[" if left == ">=" else "("
            rb = "]" if right == "<=" else ")"
            return f"{what} in {lb}{self.low:g}, {self.high:g}{rb}"
        if self.low is not None:
            return f"{what} {left} {self.low:g}"
        if self.high is not None:
            return f"{what} {right} {self.high:g}"
        return what


class Limit(Constraint):
    """A whole number ``>= low`` and at most ``high``, with the reason for the limit.

    Examples
    --------
    >>> limit = {"reps": [Limit(1, 10**7, "memory")]}
    >>> check_params(reps=10**12, constraints=limit)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: reps must be a whole number in [1, 10000000] (memory); got 10...
    """

    def __init__(self, low: int, high: int, why: str) -> None:
        self.low, self.high, self.why = low, high, why

    def is_satisfied_by(self, value: Any) -> bool:
        return Interval(Integral, self.low, self.high).is_satisfied_by(value)

    def __str__(self) -> str:
        return f"a whole number in [{self.low}, {self.high}] ({self.why})"


class Options(Constraint):
    """One of a fixed set of values.

    Examples
    --------
    >>> Options({"REML", "DL"}).is_satisfied_by(["REML"])
    False
    """

    def __init__(self, options: Sequence[Any] | set[Any]) -> None:
        self.options = (
            tuple(sorted(options, key=str)) if isinstance(options, set) else tuple(options)
        )

    def is_satisfied_by(self, value: Any) -> bool:
        try:
            return any(type(value) is type(o) and value == o for o in self.options)
        except (TypeError, ValueError):
            return False

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)


class _TypeConstraint(Constraint):
    def __init__(self, test: Callable[[Any], bool], text: str) -> None:
        self.test, self.text = test, text

    def is_satisfied_by(self, value: Any) -> bool:
        return bool(self.test(value))

    def __str__(self) -> str:
        return self.text


def _is_rng(value: Any) -> bool:
    if value is None or isinstance(value, np.random.Generator | np.random.SeedSequence):
        return True
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 0


def _is_design(value: Any) -> bool:
    if isinstance(value, str | os.PathLike):
        return True
    return all(hasattr(value, a) for a in ("n_dyads", "n_clusters", "replace"))


def _is_array_like(value: Any) -> bool:
    if isinstance(value, str | bytes | Mapping) or value is None:
        return False
    return isinstance(value, Real | np.ndarray | pd.Series | Sequence) or hasattr(
        value, "__array__"
    )


_NAMED: dict[str, Constraint] = {
    "array-like": _TypeConstraint(_is_array_like, "a number or an array of numbers"),
    "dataframe": _TypeConstraint(lambda v: isinstance(v, pd.DataFrame), "a pandas DataFrame"),
    "rng": _TypeConstraint(
        _is_rng, "None, a seed (an integer >= 0), a numpy SeedSequence or Generator"
    ),
    "design": _TypeConstraint(
        _is_design, "a design name, a design file or a b12stats.simulate.Design"
    ),
    "boolean": _TypeConstraint(lambda v: isinstance(v, bool | np.bool_), "True or False"),
    "str": _TypeConstraint(lambda v: isinstance(v, str), "a string"),
    "sequence": _TypeConstraint(
        lambda v: (
            not isinstance(v, str | bytes | Mapping)
            and isinstance(v, Sequence | np.ndarray | pd.Series | pd.Index)
        ),
        "a list or array (one entry per study)",
    ),
    "str-list": _TypeConstraint(
        lambda v: (
            isinstance(v, str)
            or (isinstance(v, Sequence | np.ndarray) and all(isinstance(x, str) for x in v))
        ),
        "a string or a list of strings",
    ),
}


_TYPE_NAMES: dict[type, str] = {
    Integral: "an integer",
    Real: "a number",
    os.PathLike: "a path",
    Mapping: "a mapping (a dict)",
}


def make_constraint(spec: Any) -> Constraint:
    """The :class:`Constraint` that ``spec`` stands for.

    ``spec`` is a constraint, ``None`` (the value ``None``), a type (instances
    of it) or one of the names ``"array-like"``, ``"dataframe"``, ``"rng"``,
    ``"design"``, ``"boolean"``, ``"str"``, ``"str-list"``.

    Examples
    --------
    >>> str(make_constraint("rng"))
    'None, a seed (an integer >= 0), a numpy SeedSequence or Generator'
    """
    if isinstance(spec, Constraint):
        return spec
    if spec is None:
        return _TypeConstraint(lambda v: v is None, "None")
    if isinstance(spec, str):
        if spec not in _NAMED:
            raise ValueError(f"unknown constraint {spec!r}")
        return _NAMED[spec]
    if isinstance(spec, type):
        text = _TYPE_NAMES.get(spec, f"a {spec.__name__}")
        return _TypeConstraint(lambda v: isinstance(v, spec) and not isinstance(v, bool), text)
    raise ValueError(f"cannot make a constraint of {spec!r}")


def _describe(constraints: list[Constraint]) -> str:
    texts = [str(c) for c in constraints]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " or " + texts[-1]


def check_params(*, constraints: Mapping[str, Sequence[Any]], **values: Any) -> None:
    """Raise :class:`OptionError` unless every value meets one of its constraints.

    Examples
    --------
    >>> check_params(p=2, constraints={"p": [Interval(Real, 0, 1)]})
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: p must be a finite number in [0, 1]; got 2
    >>> check_params(rng="abc", constraints={"rng": ["rng"]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: rng must be None, a seed (an integer >= 0), ...; got 'abc'
    """
    for name, value in values.items():
        cons = [make_constraint(c) for c in constraints.get(name, ())]
        if cons and not any(c.is_satisfied_by(value) for c in cons):
            if len(cons) == 1 and isinstance(cons[0], Options):
                allowed = ", ".join(str(o) for o in cons[0].options)
                raise OptionError(f"unknown {name} {_show(value)}; expected one of: {allowed}")
            raise OptionError(f"{name} must be {_describe(cons)}; got {_show(value)}")


def validate_params(constraints: Mapping[str, Sequence[Any]]) -> Callable[[F], F]:
    """Decorator checking a function's arguments against ``constraints`` at entry.

    Arguments without an entry are not checked; see :func:`check_params`.
    """

    def decorator(func: F) -> F:
        sig = inspect.signature(func)
        unknown = set(constraints) - set(sig.parameters)
        if unknown:
            raise ValueError(f"{func.__name__} has no parameters {sorted(unknown)}")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise OptionError(f"{func.__name__}(): {exc}") from None
            bound.apply_defaults()
            check_params(
                constraints=constraints,
                **{k: v for k, v in bound.arguments.items() if k in constraints},
            )
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


# ------------------------------------------------------------ converting checks


def numeric_array(
    name: str,
    value: Any,
    *,
    finite: bool = False,
    ndim: int | tuple[int, ...] | None = None,
    error: type[Exception] = OptionError,
) -> np.ndarray:
    """``value`` as a float array, or an error naming ``name``.

    Parameters
    ----------
    name
        The argument's name, for the message.
    value
        A number, a sequence of numbers or an array.
    finite
        Reject NaN and infinite values.
    ndim
        Allowed numbers of dimensions.
    error
        :class:`OptionError` (an argument) or :class:`DataValidationError`
        (data).

    Examples
    --------
    >>> numeric_array("n", [10, 20]).tolist()
    [10.0, 20.0]
    >>> numeric_array("n", ["10", "abc"])
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: n must be numbers; got non-numeric 'abc'
    >>> numeric_array("r", [0.1, float("inf")], finite=True)
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: r must be finite numbers; got inf at position 1
    """
    if value is None or isinstance(value, Mapping | set):
        raise error(f"{name} must be a number or an array of numbers; got {_show(value)}")
    if isinstance(value, str | bytes):
        raise error(f"{name} must be a number or an array of numbers; got the string {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        flat = np.ravel(np.asarray(value, dtype=object))
        for v in flat:
            try:
                float(v)
            except (TypeError, ValueError):
                raise error(f"{name} must be numbers; got non-numeric {_show(v)}") from None
        raise error(f"{name} must be a regular array of numbers; got {_show(value)}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            dims = " or ".join(str(d) for d in allowed)
            raise error(f"{name} must have {dims} dimension(s); got shape {arr.shape}")
    if finite:
        bad = np.flatnonzero(~np.isfinite(arr.ravel()))
        if bad.size:
            at = f" at position {bad[0]}" if arr.ndim else ""
            raise error(f"{name} must be finite numbers; got {_show(arr.ravel()[bad[0]])}{at}")
    return arr


def same_length(**arrays: Any) -> int:
    """The common length of 1-d (or scalar) arguments; an error when they differ.

    Scalars (size 1) broadcast.

    Examples
    --------
    >>> same_length(r=np.ones(3), n=np.ones(3))
    3
    >>> same_length(r=np.ones(3), n=np.ones(2))
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: r and n must have the same length; got 3 and 2
    """
    sizes = {k: int(np.size(v)) for k, v in arrays.items()}
    longer = {k: s for k, s in sizes.items() if s != 1}
    if len(set(longer.values())) > 1:
        names = list(sizes)
        raise OptionError(
            f"{', '.join(names[:-1])} and {names[-1]} must have the same length; "
            f"got {' and '.join(str(s) for s in sizes.values())}"
        )
    return max(sizes.values()) if sizes else 0


def cluster_ids(name: str, values: Any, *, column: str | None = None) -> np.ndarray:
    """Cluster identifiers as an array of one type (all numbers or all strings).

    Examples
    --------
    >>> cluster_ids("groups", [1, 1, 2]).tolist()
    [1, 1, 2]
    >>> cluster_ids("groups", [1, "a", 2])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    b12stats.errors.DataValidationError: groups mixes numbers and text (e.g. 1 and 'a'); ...
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    check = arr
    if arr.dtype.kind == "U" and not isinstance(values, np.ndarray):
        check = np.asarray(values, dtype=object)
    if arr.ndim != 1:
        raise OptionError(f"{name} must be one id per observation (1-d); got shape {arr.shape}")
    if check.dtype == object:
        present = [v for v in check if not (v is None or (isinstance(v, float) and math.isnan(v)))]
        num = [v for v in present if isinstance(v, numbers.Number)]
        txt = [v for v in present if not isinstance(v, numbers.Number)]
        if num and txt:
            raise DataValidationError(
                f"{name} mixes numbers and text (e.g. {num[0]!r} and {txt[0]!r}); "
                "use one type of cluster id",
                column=column,
            )
    return arr


def as_rng(name: str, value: Any) -> np.random.Generator:
    """``np.random.default_rng(value)`` after checking ``value`` is a seed or Generator.

    Examples
    --------
    >>> float(as_rng("rng", 1).random()) == float(np.random.default_rng(1).random())
    True
    >>> as_rng("rng", -1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: rng must be None, a seed (an integer >= 0), ...; got -1
    """
    check_params(constraints={name: ["rng"]}, **{name: value})
    return np.random.default_rng(value)


def as_design(name: str, value: Any) -> Any:
    """A design object: ``value`` itself, or the design of that name or file.

    Names and paths are resolved lazily through :func:`b12stats.simulate.get_design`.
    """
    check_params(constraints={name: ["design"]}, **{name: value})
    if isinstance(value, str | os.PathLike):
        from b12stats.simulate import get_design

        return get_design(value)
    return value


def check_workers(workers: Any, name: str = "workers") -> int:
    """A number of worker processes, at most ``WORKERS_PER_CPU`` per CPU.

    Examples
    --------
    >>> check_workers(1)
    1
    """
    cap = WORKERS_PER_CPU * (os.cpu_count() or 1)
    check_params(
        constraints={
            name: [Limit(1, cap, f"at most {WORKERS_PER_CPU} processes per CPU of this machine")]
        },
        **{name: workers},
    )
    return int(workers)


def broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    """``np.broadcast_arrays`` of the arguments, or an error naming them.

    Examples
    --------
    >>> [a.tolist() for a in broadcast(r=np.array([0.1, 0.2]), n=np.array(10.0))]
    [[0.1, 0.2], [10.0, 10.0]]
    >>> broadcast(r=np.ones(3), n=np.ones(2))
    Traceback (most recent call last):
    ...
    b12stats.errors.OptionError: r and n must have the same length (or one value); got 3 and 2
    """
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        names = list(arrays)
        shapes = [str(a.size) if a.ndim <= 1 else str(a.shape) for a in arrays.values()]
        raise OptionError(
            f"{', '.join(names[:-1])} and {names[-1]} must have the same length (or one value); "
            f"got {' and '.join(shapes)}"
        ) from None


#: Confidence level, significance level and the like: strictly inside (0, 1).
UNIT_OPEN = Interval(Real, 0, 1, closed="neither")
