"""The driver tree (docs/planning.md, "Driver tree"): GMV = UV × conversion × AOV.

Given the GMV target and two of UV, conversion and AOV, the third is solved:
- UV = GMV ÷ (conversion × AOV), rounded UP to a whole visitor (fewer would miss the target);
- conversion = GMV ÷ (UV × AOV), 4 decimals (0.0123 = 1.23 %), half up;
- AOV = GMV ÷ (UV × conversion), to the fen, half up.
What a target implies against the last 90 days: the figure needed at the other two's current values, and its
change against the current month-equivalent (the 90 days' figure ÷ 90 × the month's days for UV; the rate itself
for conversion and AOV), 4 decimals half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATE = Decimal("0.0001")


@dataclass(frozen=True)
class Tree:
    gmv: Decimal
    uv: int | None
    conversion: Decimal | None
    aov: Decimal | None


def solve(gmv: Decimal, *, uv: int | None, conversion: Decimal | None, aov: Decimal | None) -> Tree:
    """Fill in the one of UV, conversion, AOV that is missing (when exactly one is and the others are not 0)."""
    missing = [name for name, v in (("uv", uv), ("conversion", conversion), ("aov", aov)) if v is None]
    if len(missing) != 1:
        return Tree(gmv, uv, conversion, aov)
    if missing == ["uv"] and conversion and aov:
        uv = int((gmv / (conversion * aov)).to_integral_value(rounding=ROUND_CEILING))
    elif missing == ["conversion"] and uv and aov:
        conversion = (gmv / (Decimal(uv) * aov)).quantize(RATE, rounding=ROUND_HALF_UP)
    elif missing == ["aov"] and uv and conversion:
        aov = (gmv / (Decimal(uv) * conversion)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Tree(gmv, uv, conversion, aov)


@dataclass(frozen=True)
class Implied:
    """What the month's target needs of one driver, the other two held at the last 90 days' values."""

    driver: str  # "uv", "conversion" or "aov"
    needed: Decimal
    current: Decimal
    change: Decimal  # needed ÷ current − 1

    @property
    def change_percent(self) -> Decimal:
        """The change in percent, one decimal half up (0.3846 reads 38.5)."""
        return (self.change * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def fall_percent(self) -> Decimal:
        return abs(self.change_percent)


def implied(
    gmv: Decimal, *, days: int, uv_90: int | None, conversion: Decimal | None, aov: Decimal | None
) -> list[Implied]:
    """Each driver the target needs at the current values of the other two (empty when the 90 days lack one)."""
    if not uv_90 or not conversion or not aov or not gmv:
        return []
    uv_month = Decimal(uv_90) * days / 90
    out = []
    need_uv = (gmv / (conversion * aov)).to_integral_value(rounding=ROUND_CEILING)
    out.append(Implied("uv", need_uv, uv_month.to_integral_value(rounding=ROUND_HALF_UP), _change(need_uv, uv_month)))
    need_conv = (gmv / (uv_month * aov)).quantize(RATE, rounding=ROUND_HALF_UP)
    out.append(Implied("conversion", need_conv, conversion, _change(gmv / (uv_month * aov), conversion)))
    need_aov = (gmv / (uv_month * conversion)).quantize(CENT, rounding=ROUND_HALF_UP)
    out.append(Implied("aov", need_aov, aov, _change(gmv / (uv_month * conversion), aov)))
    return out


def _change(needed: Decimal, current: Decimal) -> Decimal:
    return (needed / current - 1).quantize(RATE, rounding=ROUND_HALF_UP)
