"""Statistics for evaluation reports: Wilson intervals and McNemar's paired test.

Pure functions over counts (scipy for the distributions); nothing here knows
about models or items.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

Z95 = 1.959963984540054

#: Below this many discordant pairs McNemar's test uses the exact binomial test;
#: from here on, the chi-square approximation with continuity correction.
EXACT_BELOW = 25


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``k`` successes in ``n`` trials (95% by default)."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, center - half)
    hi = 1.0 if k == n else min(1.0, center + half)  # exact at the ends, where rounding would leave 0.999…
    return (lo, hi)


@dataclass
class McNemar:
    """Paired comparison of a method with base on the same items.

    ``b``: items base got right and the method wrong; ``c``: the reverse.
    """

    b: int
    c: int
    statistic: float | None  # chi-square value, or the smaller count for the exact test
    p_value: float
    test: str  # "exact binomial", "chi-square (continuity-corrected)" or "none (no discordant pairs)"

    def to_dict(self) -> dict:
        return asdict(self)


def mcnemar(b: int, c: int) -> McNemar:
    """McNemar's test: exact two-sided binomial when ``b + c < EXACT_BELOW``, else chi-square with continuity."""
    n = b + c
    if n == 0:
        return McNemar(b, c, None, 1.0, "none (no discordant pairs)")
    if n < EXACT_BELOW:
        from scipy.stats import binomtest

        p = binomtest(min(b, c), n, 0.5, alternative="two-sided").pvalue
        return McNemar(b, c, float(min(b, c)), float(min(1.0, p)), "exact binomial")
    from scipy.stats import chi2

    stat = (abs(b - c) - 1) ** 2 / n
    return McNemar(b, c, float(stat), float(chi2.sf(stat, 1)), "chi-square (continuity-corrected)")


def paired_counts(base: dict[str, bool], other: dict[str, bool]) -> tuple[int, int]:
    """(b, c) over the item ids both have: base right/other wrong, base wrong/other right."""
    common = base.keys() & other.keys()
    b = sum(1 for i in common if base[i] and not other[i])
    c = sum(1 for i in common if not base[i] and other[i])
    return b, c
