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

from zhanggui.planning.breakdown import allocate

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


@dataclass(frozen=True)
class SourceNeed:
    """One traffic source's part of a month's target and the UV it needs at its own conversion and AOV."""

    source: str
    share: Decimal  # of the 90 days' GMV, 4 decimals half up
    target: Decimal  # the month's target × share (largest remainder over the sources, to the fen)
    uv_now: int  # the 90 days' UV ÷ 90 × the month's days, half up
    conversion: Decimal | None  # buyers ÷ UV over the 90 days
    aov: Decimal | None  # GMV ÷ buyers over the 90 days
    uv_needed: int | None  # target ÷ (conversion × AOV), rounded up

    @property
    def conversion_percent(self) -> str:
        return "—" if self.conversion is None else f"{(self.conversion * 100).quantize(CENT)} %"

    @property
    def change(self) -> Decimal | None:
        if self.uv_needed is None or not self.uv_now:
            return None
        return _change(Decimal(self.uv_needed), Decimal(self.uv_now))

    @property
    def change_percent(self) -> Decimal | None:
        change = self.change
        return None if change is None else (change * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def by_source(gmv: Decimal, *, days: int, sources: list[tuple[str, int, int, Decimal]]) -> list[SourceNeed]:
    """The month's target split over the traffic sources by their share of the last 90 days' GMV, and the UV
    each needs at its own conversion and AOV. `sources`: (name, UV, paying buyers, GMV) over the 90 days."""
    whole = sum((s[3] for s in sources), Decimal(0))
    if not sources or whole <= 0:
        return []
    targets = allocate(gmv, [s[3] for s in sources])
    out = []
    for (name, uv, buyers, amount), target in zip(sources, targets, strict=True):
        conversion = (Decimal(buyers) / uv).quantize(RATE, rounding=ROUND_HALF_UP) if uv else None
        aov = (amount / buyers).quantize(CENT, rounding=ROUND_HALF_UP) if buyers else None
        needed = None
        if target and conversion and aov:
            needed = int((target / (conversion * aov)).to_integral_value(rounding=ROUND_CEILING))
        out.append(
            SourceNeed(
                name,
                (amount / whole).quantize(RATE, rounding=ROUND_HALF_UP),
                target,
                int((Decimal(uv) * days / 90).to_integral_value(rounding=ROUND_HALF_UP)),
                conversion,
                aov,
                needed,
            )
        )
    return out
