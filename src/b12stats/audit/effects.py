"""Effects printed with a CI: the P the CI implies against the printed P."""

from __future__ import annotations

import math
from collections.abc import Iterator

from b12stats.audit import messages as msg
from b12stats.audit.core import CONF_LEVEL, Check, Context, Kind, decide, flag, isnum
from b12stats.audit.registry import register
from b12stats.format import format_p, format_printed
from b12stats.stats import _scipy_stats as stats  # norm, t without importing scipy.stats
from b12stats.stats.effects import check_p_against_ci
from b12stats.stats.printed import parse_p

_P_ONLY = Kind("effect_ci", "effects", "p_only")
_FROM_CI = Kind("effect_ci", "effects", "p_from_ci")


@register("effects", order=160)
def check_effects(ctx: Context) -> Iterator[Check]:
    """Effects with a CI: the P the CI implies against the printed P (or the word "significant").

    Ratio-type effects (percent difference, ratio): log scale with rounding
    (:func:`~b12stats.stats.effects.check_p_against_ci`, Altman & Bland
    2011). Additive effects (regression coefficients): ``se = (hi - lo) /
    (2 z)``, ``P = 2 Phi(-|est| / se)``; without a printed P, a source calling
    the effect significant (the ``significant`` column; its words in
    ``significance_words``) is ``consistent`` when the CI excludes 0.
    Effects with a P only: ``unverifiable``.

    Examples
    --------
    >>> check_effects()[0].verdict
    'reproduced'
    """
    eff = ctx.rows["effects"]
    zc = stats.norm.ppf(0.5 + CONF_LEVEL / 2.0)
    for _, row in eff.iterrows():
        has_ci = isnum(row["ci_low"]) and isnum(row["ci_high"]) and isnum(row["estimate"])
        if not has_ci:
            draft = _P_ONLY.draft(
                ctx, row, claim=f"{row['contrast']}: {row['p_text']}", reported=str(row["p_text"])
            )
            yield draft.judge(decide(evidence=False), msg.P_ONLY_TEXT, printed_p=row["p_text"])
            continue
        e, lo, hi = (
            format_printed(row[c], row[f"{c}_decimals"]) for c in ("estimate", "ci_low", "ci_high")
        )
        level = float(row["ci_level"]) if isnum(row["ci_level"]) else CONF_LEVEL
        ci_txt = f"{e} ({round(level * 100)}% CI {lo}, {hi})"
        if row["measure"] in ("percent_difference", "ratio"):
            p_text = row["p_text"] if isinstance(row["p_text"], str) else "P < 0.05"
            res = check_p_against_ci(p_text, e, lo, hi, scale=row["measure"], conf_level=level)
            r0 = res.iloc[0]
            p0 = float(r0.p_recomputed)
            pp = parse_p(p_text)
            rng = f"{format_p(r0.p_low)}-{format_p(r0.p_high)} with the bounds' rounding"
            verdict = decide(reproduced=pp.contains(p0), compatible=bool(r0.consistent))
            template = msg.LOG_TEXT[verdict]
            numbers = {"p": format_p(p0), "p_range": rng, "printed_p": p_text}
            value, vlo, vhi = p0, float(r0.p_low), float(r0.p_high)
        else:
            est, l_, h_ = float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
            se = (h_ - l_) / (2 * zc)
            p0 = float(2 * stats.norm.sf(abs(est) / se))
            excludes = l_ > 0 or h_ < 0
            value, vlo, vhi = p0, math.nan, math.nan
            numbers = {"se": se, "p": format_p(p0), "midpoint": (l_ + h_) / 2, "estimate": est}
            if isinstance(row["p_text"], str):
                pp = parse_p(row["p_text"])
                verdict = decide(compatible=pp.contains(p0))
                template = msg.ADDITIVE_TEXT["p"]
                p_text = numbers["printed_p"] = row["p_text"]
            else:
                says_sig = flag(row["significant"]) is True
                p_text = "significant" if says_sig else "no P"
                if says_sig:
                    verdict = decide(compatible=excludes)
                    template = msg.ADDITIVE_TEXT[
                        "significant_excludes" if excludes else "significant_includes"
                    ]
                    numbers["words"] = row["significance_words"]
                else:
                    verdict = decide(evidence=False)
                    template = msg.ADDITIVE_TEXT["no_p"]
        claim = f"{row['contrast']}: {ci_txt}, {p_text}"
        draft = _FROM_CI.draft(ctx, row, claim=claim, reported=f"{ci_txt}; {p_text}")
        yield draft.judge(
            verdict, template, recomputed=f"p = {format_p(value)}", value=value, low=vlo,
            high=vhi, p_value=value, **numbers,
        )  # fmt: skip
