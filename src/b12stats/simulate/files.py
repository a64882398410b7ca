"""Design files: a :class:`~b12stats.simulate.design.Design` as TOML.

A design file (format: ``data/designs/README.md``) holds every number of a
design. A published number names the data row it is read from
(``{table = "concentrations", row_id = "..."}``, looked up through a
:data:`RowLookup` the caller gives, by default the registered provider's:
:mod:`b12stats.designs` reads the data tables); an assumed number holds its
value and the reason (``{value = 0.05, reason = "..."}``). The built-in
designs (the files in ``data/designs/``) live in the domain layer,
:mod:`b12stats.designs`.

:meth:`Design.to_toml` writes the *resolved* form: every number as a value,
with the row it was read from (``source``) and the reason it was assumed
(``reason``), so a file it writes does not depend on any data table and
:meth:`Design.from_toml` reads it back to an equal design. Text fields are
templates (:meth:`str.format`) filled from the design's numbers; the writer
doubles literal braces.
"""

from __future__ import annotations

import math
import numbers
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from b12stats.errors import DataValidationError, OptionError
from b12stats.simulate.correlation import CORRELATION_SCALES
from b12stats.simulate.design import (
    CLUSTER_SIZE_MODELS,
    COVARIATE_DISTRIBUTIONS,
    Covariate,
    Design,
    LognormalMarginal,
)
from b12stats.stats.correlation import r_critical

__all__ = [
    "RowLookup",
    "RowMapping",
    "design_to_dict",
    "read_design",
    "write_design",
]

#: top-level keys of a design file: required, then optional
_REQUIRED = (
    "description",
    "milk",
    "infant",
    "correlation",
    "correlation_scale",
    "n_dyads",
    "n_clusters",
    "icc_milk",
    "icc_infant",
    "adequacy_cutoff",
)
_OPTIONAL = (
    "name",
    "flags",
    "cluster_sizes",
    "milk_threshold",
    "covariates",
    "assumptions",
    "sources",
)

#: scalar parameters and the kind of value each takes (checked by ``_Reader._check``)
_SCALARS: dict[str, str] = {
    "correlation": "r",
    "correlation_scale": "scale",
    "n_dyads": "count",
    "n_clusters": "count",
    "cluster_sizes": "cluster_sizes",
    "icc_milk": "icc",
    "icc_infant": "icc",
    "adequacy_cutoff": "positive",
    "milk_threshold": "positive",
}

#: the column a row reference reads when it names none
_DEFAULT_COLUMN = {"correlations": "r", "cohorts": "value_num"}

#: the two-sided level of the critical r offered to text templates as {critical_r}
_CRITICAL_ALPHA = 0.05

_FITS = ("quartiles", "geometric_mean_ci")


# --------------------------------------------------------------------------- #
# data rows (looked up by the caller: the core reads no data table)
# --------------------------------------------------------------------------- #
#: a row lookup: ``(table, row_id) -> row`` (column -> value, None for an empty
#: cell) or None when the table has no such row; raises :class:`LookupError`
#: (message: what tables there are) for an unknown table
RowLookup = Callable[[str, str], "Mapping[str, Any] | None"]

#: a row lookup as a mapping ``{table: {row_id: row}}``
RowMapping = Mapping[str, Mapping[str, Mapping[str, Any]]]


def _empty(v: Any) -> bool:
    """None, NaN or pandas' NA (an empty cell)."""
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN
    except TypeError:  # pandas.NA
        return True


def _as_lookup(rows: RowLookup | RowMapping | None) -> RowLookup | None:
    """A callable row lookup: ``rows`` itself, one over a mapping, or the registered default."""
    if rows is None:
        from b12stats.simulate.registry import hook

        return hook("rows", required=False)
    if callable(rows):
        return rows
    if not isinstance(rows, Mapping):
        raise OptionError(f"rows must be a callable or a mapping of tables, got {rows!r}")
    mapping = rows

    def lookup(table: str, row_id: str) -> Mapping[str, Any] | None:
        if table not in mapping:
            raise LookupError(f"unknown table {table!r}; expected one of: {', '.join(mapping)}")
        return mapping[table].get(row_id)

    return lookup


# --------------------------------------------------------------------------- #
# reading
# --------------------------------------------------------------------------- #
def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Reader:
    """Turns one file's parsed TOML into Design arguments; errors name file, key and line."""

    def __init__(self, path: Path, text: str, rows: RowLookup | None = None) -> None:
        self.path = path
        self.rows = rows
        self.lines = text.splitlines()
        self.assumptions: dict[str, tuple[Any, str]] = {}
        self.sources: dict[str, str] = {}
        self.names: dict[str, Any] = {}  # values offered to the text templates
        self._reasons: dict[str, tuple[Any, ...]] = {}  # reasons still to be filled in
        self.plausible: dict[str, tuple[Any, ...]] = {}  # plausible ranges of assumed numbers

    def assume(self, param: str, value: Any, reason: Any, keypath: tuple[Any, ...]) -> None:
        """Record an assumption; its reason is a template filled in by :meth:`finish`."""
        self.text(reason, keypath, template=False)
        self.assumptions[param] = (value, reason)
        self._reasons[param] = keypath

    def finish(self) -> None:
        """Fill in the reasons once every number is known."""
        for param, keypath in self._reasons.items():
            value, raw = self.assumptions[param]
            self.assumptions[param] = (value, self.text(raw, keypath))

    # -- errors -------------------------------------------------------------------
    def _line(self, keypath: tuple[Any, ...]) -> int | None:
        """Best-effort line of a key (tomllib gives positions only for syntax errors)."""
        line, start, table = None, 0, ""
        for part in keypath:
            if isinstance(part, int):
                seen = -1
                for i in range(start, len(self.lines)):
                    if re.match(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]", self.lines[i]):
                        seen += 1
                        if seen == part:
                            line, start = i + 1, i + 1
                            break
                continue
            table = table or str(part)
            pat = re.compile(rf"(^|[\s{{,.\[])\"?{re.escape(str(part))}\"?\s*(=|\]|\.)")
            for i in range(start, len(self.lines)):
                if pat.search(self.lines[i].split("#", 1)[0]):
                    line, start = i + 1, i
                    break
        return line

    def fail(self, keypath: tuple[Any, ...], message: str) -> DataValidationError:
        where = f"key {_dotted(keypath)}: " if keypath else ""
        return DataValidationError(where + message, file=self.path, line=self._line(keypath))

    def table(
        self,
        obj: Any,
        keypath: tuple[Any, ...],
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise self.fail(keypath, f"must be a table, got {obj!r}")
        unknown = [k for k in obj if k not in required and k not in optional]
        if unknown:
            raise self.fail(
                (*keypath, unknown[0]),
                f"unknown key; expected {', '.join((*required, *optional))}",
            )
        for k in required:
            if k not in obj:
                raise self.fail(keypath, f"missing key {k!r}")
        return obj

    def text(self, value: Any, keypath: tuple[Any, ...], *, template: bool = True) -> str:
        if not isinstance(value, str):
            raise self.fail(keypath, f"must be a string, got {value!r}")
        if not template:
            return value
        try:
            return value.format_map(self.names)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise self.fail(
                keypath,
                f"text template {value!r} cannot be filled ({type(exc).__name__}: {exc}); "
                f"placeholders: {', '.join(sorted(self.names))}; write {{{{ and }}}} for braces",
            ) from None

    # -- numbers --------------------------------------------------------------------
    def _cell(self, spec: Mapping[str, Any], keypath: tuple[Any, ...]) -> tuple[dict, str]:
        table, row_id = spec["table"], spec["row_id"]
        if not isinstance(table, str):
            raise self.fail((*keypath, "table"), f"must be a string, got {table!r}")
        if not isinstance(row_id, str):
            raise self.fail((*keypath, "row_id"), f"must be a string, got {row_id!r}")
        if self.rows is None:
            raise self.fail(
                keypath,
                "a row reference needs data rows: read the file with "
                "b12stats.designs.read_design (or pass rows= to Design.from_toml)",
            )
        try:
            row = self.rows(table, row_id)
        except LookupError as exc:
            raise self.fail((*keypath, "table"), str(exc.args[0] if exc.args else exc)) from None
        if row is None:
            raise self.fail((*keypath, "row_id"), f"row {row_id!r} not found in table {table!r}")
        return {str(k): (None if _empty(v) else v) for k, v in row.items()}, row_id

    def _number(self, row: dict, column: str, keypath: tuple[Any, ...], row_id: str) -> Any:
        if column not in row:
            raise self.fail((*keypath, "column"), f"no column {column!r} in row {row_id!r}")
        v = row[column]
        if v is None:
            raise self.fail(keypath, f"row {row_id!r} has no {column}")
        return v

    def _fit(self, spec: Mapping[str, Any], keypath: tuple[Any, ...]) -> tuple:
        fit = spec["fit"]
        if fit not in _FITS:
            raise self.fail((*keypath, "fit"), f"unknown fit {fit!r}; expected one of: "
                            f"{', '.join(_FITS)}")  # fmt: skip
        row, row_id = self._cell(spec, keypath)
        try:
            if fit == "quartiles":
                cells = [self._number(row, c, keypath, row_id) for c in ("q1", "value", "q3")]
                marg = LognormalMarginal.from_quartiles(*(float(c) for c in cells))
                centre = float(cells[1])
            else:
                if row.get("statistic") != "geometric_mean":
                    raise self.fail(
                        (*keypath, "row_id"), f"row {row_id!r} is not a geometric mean"
                    )
                gm, lo, hi, n, level = (
                    self._number(row, c, keypath, row_id)
                    for c in ("value", "ci_low", "ci_high", "n", "ci_level")
                )
                marg = LognormalMarginal.from_geometric_mean_ci(
                    float(gm), float(lo), float(hi), int(n), conf_level=float(level)
                )
                centre = float(gm)
        except OptionError as exc:
            raise self.fail(keypath, f"row {row_id!r}: {exc}") from None
        return marg, row_id, centre

    def scalar(self, param: str, spec: Any, keypath: tuple[Any, ...], kind: str) -> Any:
        """Resolve a number (or word) spec; record its reason and source row."""
        bare = not isinstance(spec, dict)
        if bare:
            spec = {"value": spec}
        if ("value" in spec) == ("row_id" in spec) or (kind != "sigma" and "fit" in spec):
            raise self.fail(
                keypath,
                "give either value = ... or table = ... and row_id = ..."
                + (" (with fit = ... for a log-SD)" if kind == "sigma" else ""),
            )
        reason = spec.get("reason")
        source = spec.get("source")
        if "value" in spec:
            self.table(spec, keypath, ("value",), ("reason", "source", "plausible"))
            value = spec["value"]
        elif "fit" in spec:
            self.table(
                spec, keypath, ("fit", "table", "row_id"), ("reason", "source", "plausible")
            )
            value = self._fit(spec, keypath)[0].sigma
            row_id = spec["row_id"]
        else:
            self.table(
                spec, keypath, ("table", "row_id"), ("column", "reason", "source", "plausible")
            )
            row, row_id = self._cell(spec, keypath)
            column = spec.get("column", _DEFAULT_COLUMN.get(spec["table"], "value"))
            value = self._number(row, column, keypath, row_id)
        if "value" not in spec and reason is None and source is None:
            source = row_id  # a published number cites its row
        where = (*keypath, "value") if "value" in spec and not bare else keypath
        value = self._check(value, kind, where)
        if reason is not None:
            self.assume(param, value, reason, (*keypath, "reason"))
        if "plausible" in spec:
            self.plausible[param] = self._plausible(spec, kind, keypath)
        if source is not None:
            self.sources[param] = self.text(source, (*keypath, "source"), template=False)
        return value

    def _plausible(self, spec: Any, kind: str, keypath: tuple[Any, ...]) -> tuple[Any, ...]:
        """The ``plausible`` range of an assumed number: >= 2 distinct valid values, ascending."""
        kp = (*keypath, "plausible")
        values = spec["plausible"]
        if "reason" not in spec:
            raise self.fail(kp, "a plausible range belongs to an assumed number: give its reason")
        if not isinstance(values, list) or len(values) < 2:
            raise self.fail(kp, f"must be a list of at least 2 values, got {values!r}")
        out = tuple(self._check(v, kind, (*kp, i)) for i, v in enumerate(values))
        if len(set(out)) < len(out):
            raise self.fail(kp, f"values must be distinct, got {values!r}")
        if all(isinstance(v, float | int) for v in out) and list(out) != sorted(out):
            raise self.fail(kp, f"numbers must be in ascending order, got {values!r}")
        return out

    def _check(self, v: Any, kind: str, keypath: tuple[Any, ...]) -> Any:
        real = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
        if kind in ("scale", "cluster_sizes"):
            allowed = CORRELATION_SCALES if kind == "scale" else CLUSTER_SIZE_MODELS
            if v not in allowed:
                raise self.fail(keypath, f"must be one of {', '.join(allowed)}, got {v!r}")
            return v
        if not real:
            raise self.fail(keypath, f"must be a finite number, got {v!r}")
        if kind == "count":
            if float(v) != int(v) or v < 1:
                raise self.fail(keypath, f"must be a whole number >= 1, got {v!r}")
            return int(v)
        ok, what = {
            "r": (-1 < v < 1, "a correlation strictly between -1 and 1"),
            "icc": (0 <= v < 1, "an intra-cluster correlation in [0, 1)"),
            "positive": (v > 0, "> 0"),
            "sigma": (v > 0, "a log-SD > 0"),
            "real": (True, "a number"),
        }[kind]
        if not ok:
            raise self.fail(keypath, f"must be {what}, got {v!r}")
        return float(v)

    def marginal(self, comp: str, spec: Any) -> LognormalMarginal:
        kp: tuple[Any, ...] = (comp,)
        if not isinstance(spec, dict):
            raise self.fail(kp, "must be a table")
        if "fit" in spec:
            self.table(spec, kp, ("fit", "table", "row_id"), ("mu_reason", "sigma_reason",
                                                               "method"))  # fmt: skip
            marg, row_id, centre = self._fit(spec, kp)
            for sub in ("mu", "sigma"):
                self.sources[f"{comp}_{sub}"] = row_id
            mu, sigma, method = marg.mu, marg.sigma, marg.method
        elif "median" in spec:
            self.table(spec, kp, ("median", "sigma"), ("method",))
            centre = self.scalar(f"{comp}_mu", spec["median"], (*kp, "median"), "positive")
            mu = math.log(centre)
            if f"{comp}_mu" in self.assumptions:
                self.assumptions[f"{comp}_mu"] = (mu, self.assumptions[f"{comp}_mu"][1])
            sigma = self.scalar(f"{comp}_sigma", spec["sigma"], (*kp, "sigma"), "sigma")
            method = None
        else:
            self.table(spec, kp, ("mu", "sigma"), ("method",))
            mu = self.scalar(f"{comp}_mu", spec["mu"], (*kp, "mu"), "real")
            sigma = self.scalar(f"{comp}_sigma", spec["sigma"], (*kp, "sigma"), "sigma")
            centre = math.exp(mu)
            method = None
        self.names[f"{comp}_median"] = centre
        self.names[f"{comp}_mu"] = mu
        self.names[f"{comp}_sigma"] = sigma
        if "method" in spec:
            method = self.text(spec["method"], (*kp, "method"))
        elif method is None:
            method = f"median {centre:g}, log-SD {sigma:.4g}"
        for sub in ("mu", "sigma"):
            if f"{sub}_reason" in spec:
                value = mu if sub == "mu" else sigma
                self.assume(f"{comp}_{sub}", value, spec[f"{sub}_reason"], (*kp, f"{sub}_reason"))
        return LognormalMarginal(mu=mu, sigma=sigma, method=method)

    def covariate(self, i: int, spec: Any) -> Covariate:
        kp: tuple[Any, ...] = ("covariates", i)
        self.table(spec, kp, ("name", "distribution", "params"), ("effect", "unit",
                                                                  "explanation"))  # fmt: skip
        name = spec["name"]
        if not (isinstance(name, str) and name.isidentifier()):
            raise self.fail((*kp, "name"), f"must be an identifier, got {name!r}")
        dist = spec["distribution"]
        if dist not in COVARIATE_DISTRIBUTIONS:
            raise self.fail(
                (*kp, "distribution"),
                f"unknown distribution {dist!r}; expected one of: "
                f"{', '.join(COVARIATE_DISTRIBUTIONS)}",
            )
        names = COVARIATE_DISTRIBUTIONS[dist]
        params = self.table(spec["params"], (*kp, "params"), names)
        values = tuple(self._check(params[p], "real", (*kp, "params", p)) for p in names)
        effect = self.scalar(f"effect_{name}", spec.get("effect", 0.0), (*kp, "effect"), "real")
        try:
            return Covariate(
                name,
                dist,
                values,
                effect=float(effect),
                unit=self.text(spec.get("unit", ""), (*kp, "unit"), template=False),
                explanation=self.text(spec.get("explanation", ""), (*kp, "explanation")),
            )
        except OptionError as exc:
            raise self.fail(kp, str(exc)) from None


def read_design(path: str | Path, *, rows: RowLookup | RowMapping | None = None) -> Design:
    """Read a design file (:meth:`Design.from_toml`).

    ``rows`` looks up the data rows the file names (:data:`RowLookup`, or a
    mapping ``{table: {row_id: row}}``); by default the registered provider's
    (:mod:`b12stats.simulate.registry`: the bundled tables). A resolved file
    (as :func:`write_design` writes it) needs no rows.
    """
    path = Path(path)
    lookup = _as_lookup(rows)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataValidationError("design file not found", file=path) from None
    except OSError as exc:
        raise DataValidationError(f"cannot read design file: {exc.strerror}", file=path) from None
    try:
        text = raw.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise DataValidationError("design file is not UTF-8 text", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line = int(m.group(1)) if m else None
        raise DataValidationError(
            f"not valid TOML: {msg}" + (f" (column {m.group(2)})" if m else ""),
            file=path,
            line=line,
        ) from None
    rd = _Reader(path, text, lookup)
    rd.table(doc, (), _REQUIRED, _OPTIONAL)
    # numbers first (text templates may use them), in a fixed order
    values: dict[str, Any] = {}
    for param, kind in _SCALARS.items():
        if param in doc:
            values[param] = rd.scalar(param, doc[param], (param,), kind)
    values.setdefault("cluster_sizes", "equal")
    if values["n_dyads"] < 2:
        raise rd.fail(("n_dyads",), f"must be at least 2 dyads, got {values['n_dyads']}")
    if values["n_clusters"] > values["n_dyads"]:
        raise rd.fail(
            ("n_clusters",),
            f"{values['n_clusters']} clusters for {values['n_dyads']} dyads: at most n_dyads",
        )
    widest = max(rd.plausible.get("n_clusters", (0,)))
    if widest > values["n_dyads"]:
        raise rd.fail(
            ("n_clusters", "plausible"),
            f"{widest} clusters for {values['n_dyads']} dyads: at most n_dyads",
        )
    rd.names.update(values)
    if values["n_dyads"] > 2:
        rd.names["critical_r"] = float(r_critical(values["n_dyads"], alpha=_CRITICAL_ALPHA))
    milk = rd.marginal("milk", doc["milk"])
    infant = rd.marginal("infant", doc["infant"])
    covs = doc.get("covariates", [])
    if not isinstance(covs, list):
        raise rd.fail(("covariates",), "must be an array of tables ([[covariates]])")
    covariates = tuple(rd.covariate(i, c) for i, c in enumerate(covs))
    extra = doc.get("assumptions", {})
    if not isinstance(extra, dict):
        raise rd.fail(("assumptions",), "must be a table")
    for key, entry in extra.items():
        kp = ("assumptions", key)
        rd.table(entry, kp, ("value", "reason"))
        if key in rd.assumptions:
            raise rd.fail(kp, "already given with the parameter itself")
        rd.assume(key, entry["value"], entry["reason"], (*kp, "reason"))
    cited = doc.get("sources", {})
    if not isinstance(cited, dict):
        raise rd.fail(("sources",), "must be a table")
    for key, row_id in cited.items():
        kp = ("sources", key)
        if key in rd.sources:
            raise rd.fail(kp, "already given with the parameter itself")
        rd.sources[key] = rd.text(row_id, kp, template=False)
    rd.finish()
    name = doc.get("name", path.stem)
    flags = doc.get("flags", [])
    if not isinstance(flags, list):
        raise rd.fail(("flags",), "must be an array of strings")
    try:
        return Design(
            name=rd.text(name, ("name",), template=False),
            description=rd.text(doc["description"], ("description",)),
            milk=milk,
            infant=infant,
            covariates=covariates,
            flags=tuple(rd.text(f, ("flags", i)) for i, f in enumerate(flags)),
            assumptions=rd.assumptions,
            sources=rd.sources,
            plausible=rd.plausible,
            **values,
        )
    except OptionError as exc:
        raise DataValidationError(str(exc), file=path) from None


# --------------------------------------------------------------------------- #
# writing
# --------------------------------------------------------------------------- #
def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _plain(value: Any) -> Any:
    """A TOML-writable copy (tuples as lists); None cannot be written."""
    if value is None:
        raise OptionError("a design with a None value cannot be written as TOML")
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value


def design_to_dict(design: Design) -> dict[str, Any]:
    """The resolved TOML document of ``design`` (as :func:`write_design` writes it)."""
    assumptions = dict(design.assumptions)
    sources = dict(design.sources)

    def spec(param: str, value: Any) -> Any:
        out: dict[str, Any] = {"value": _plain(value)}
        if param in assumptions and assumptions[param][0] == value:
            out["reason"] = _escape(assumptions.pop(param)[1])
        if param in sources:
            out["source"] = sources.pop(param)
        if param in design.plausible and "reason" in out:
            out["plausible"] = _plain(design.plausible[param])
        return out if len(out) > 1 else out["value"]

    doc: dict[str, Any] = {"name": design.name, "description": _escape(design.description)}
    if design.flags:
        doc["flags"] = [_escape(f) for f in design.flags]
    for param in _SCALARS:
        value = getattr(design, param)
        if value is not None:
            doc[param] = spec(param, value)
    for comp in ("milk", "infant"):
        marg = getattr(design, comp)
        doc[comp] = {
            "mu": spec(f"{comp}_mu", marg.mu),
            "sigma": spec(f"{comp}_sigma", marg.sigma),
            "method": _escape(marg.method),
        }
    if design.covariates:
        doc["covariates"] = [
            {
                "name": c.name,
                "distribution": c.distribution,
                "params": dict(
                    zip(COVARIATE_DISTRIBUTIONS[c.distribution], c.params, strict=True)
                ),
                "effect": spec(f"effect_{c.name}", c.effect),
                "unit": c.unit,
                "explanation": _escape(c.explanation),
            }
            for c in design.covariates
        ]
    if assumptions:
        doc["assumptions"] = {
            k: {"value": _plain(v), "reason": _escape(why)} for k, (v, why) in assumptions.items()
        }
    if sources:
        doc["sources"] = dict(sources)
    return doc


def write_design(design: Design, path: str | Path | None = None) -> str:
    """The design as TOML text (:meth:`Design.to_toml`); written to ``path`` when given."""
    import tomli_w

    text = (
        "# b12stats design file, resolved: every number as a value, with the data row\n"
        "# it was read from (source) or the reason it was assumed (reason).\n"
        "# Format: data/designs/README.md\n" + tomli_w.dumps(design_to_dict(design))
    )
    if path is not None:
        from b12stats._io import write_text

        write_text(Path(path), text)
    return text
