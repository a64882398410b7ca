"""Which columns a patsy formula names (without patsy: a parse of its Python syntax)."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from b12stats.errors import OptionError

__all__ = ["formula_columns", "formula_names", "formula_numeric_columns", "terms"]

# Names a formula may use that are not columns: patsy's contrast classes and
# stateful transforms, and Python constants.
_FORMULA_NAMES = frozenset(
    {"Treatment", "Sum", "Diff", "Poly", "Helmert", "True", "False", "None", "np"}
)


def formula_columns(formula: str) -> tuple[list[str], list[str]]:
    """The columns a patsy formula names: (outcome columns, predictor columns).

    Parameters
    ----------
    formula
        statsmodels/R style, ``"outcome ~ terms"``.

    Returns
    -------
    tuple of list of str
        The column names on each side, each once (see :func:`formula_names`).

    Raises
    ------
    OptionError
        No single ``~``, no outcome, or a side that does not parse.

    Examples
    --------
    >>> formula_columns("np.log(y) ~ x + C(sex) + Q('milk b12')")
    (['y'], ['milk b12', 'x', 'sex'])
    """
    if formula.count("~") != 1:
        raise OptionError(f"formula must have one '~' (outcome ~ terms), got {formula!r}")
    lhs, rhs = formula.split("~")
    if not lhs.strip():
        raise OptionError(f"formula has no outcome before '~': {formula!r}")
    return formula_names(lhs, formula), formula_names(rhs, formula)


def formula_names(side: str, formula: str) -> list[str]:
    """The column names one side of a formula (or one term) uses.

    Function names (``np.log``, ``C``), patsy's contrast classes and Python
    constants are not columns; ``Q("a name")`` is the column ``a name``.

    Parameters
    ----------
    side
        The text of one side of ``~`` (or of one term).
    formula
        The whole formula, for the error message.

    Returns
    -------
    list of str
        Each name once (breadth-first through the parse tree, not left to right).

    Examples
    --------
    >>> formula_names("x + C(site):dose + np.sqrt(z)", "y ~ x")
    ['x', 'z', 'dose', 'site']
    """
    text = side.strip() or "1"
    # patsy's ':' (interaction) is not Python; '*' parses with the same names.
    try:
        tree = ast.parse(text.replace(":", "*"), mode="eval")
    except SyntaxError:
        raise OptionError(f"cannot parse formula {formula!r}") from None
    skip: set[int] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            skip.add(id(node.func))
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Q":  # Q("column name")
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append(arg.value)
                skip.update(id(a) for a in node.args)
        elif isinstance(node, ast.Attribute):
            skip.add(id(node.value))  # np in np.log
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in skip and node.id not in _FORMULA_NAMES:
            found.append(node.id)
    return list(dict.fromkeys(found))


def terms(covariates: Sequence[str] | str | None) -> list[str]:
    """Covariate terms as a list: ``None`` is none, a string is one term."""
    if covariates is None:
        return []
    if isinstance(covariates, str):
        return [covariates]
    return [str(c) for c in covariates]


class _DropCategorical(ast.NodeTransformer):
    """Replace every ``C(...)`` term by a constant (its columns are categories)."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name) and node.func.id == "C":
            return ast.copy_location(ast.Constant(1), node)
        self.generic_visit(node)
        return node


def formula_numeric_columns(formula: str) -> list[str]:
    """Columns the formula uses as numbers: the outcome and those outside ``C(...)``.

    Examples
    --------
    >>> formula_numeric_columns("np.log(y) ~ x + C(sex) + C(site):dose")
    ['y', 'x', 'dose']
    """
    formula_columns(formula)  # raises OptionError for a malformed formula
    lhs, rhs = formula.split("~")
    found: list[str] = []
    for side in (lhs, rhs):
        tree = ast.parse(side.strip().replace(":", "*") or "1", mode="eval")
        found += formula_names(ast.unparse(_DropCategorical().visit(tree)), formula)
    return list(dict.fromkeys(found))
