"""Repurchase models from the papers (docs/members.md, "Probability of return and expected value"):

- **BG/NBD** — Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
  Pareto/NBD Model", Marketing Science 24(2). While alive a customer buys at a Poisson rate λ ~ Gamma(r, α);
  after each purchase they drop out with probability p ~ Beta(a, b). A customer is summed up by x (repeat
  purchases), t_x (the time of the last purchase, from the first) and T (the time since the first purchase).
- **Gamma-Gamma** — Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value". The spend per purchase
  is Gamma(p, ν) with ν ~ Gamma(q, γ); fitted on the repeat customers (x ≥ 1) and their mean repeat spend m_x.

Written from the papers with scipy (the `lifetimes` library that packaged them has had no release since 2020).
These are statistical estimates in floats; money leaves this module through `to_money` (to the fen, half up).
Both fits maximise the log-likelihood over the logarithms of the parameters (all positive) with L-BFGS-B.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1, logsumexp

FEN = Decimal("0.01")


@dataclass(frozen=True)
class BgNbd:
    """The four BG/NBD parameters: r, α (purchase rate ~ Gamma(r, α)), a, b (dropout ~ Beta(a, b))."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    """The three Gamma-Gamma parameters: p (shape of a purchase's spend), q and γ (its scale's Gamma)."""

    p: float
    q: float
    gamma: float


def _arrays(*values: Sequence[float] | np.ndarray) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in values]


def bgnbd_log_likelihood(params: BgNbd, x, t_x, T) -> float:
    """Σ ln L(r, α, a, b | x, t_x, T), the paper's equation (6) taken in logs:
    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
      + [x > 0] · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    stays = betaln(a, b + x) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    dropped[repeat] = betaln(a + 1, b + x[repeat] - 1) - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    return float(np.sum(common + logsumexp(np.stack([stays, dropped]), axis=0)))


def fit_bgnbd(x, t_x, T, *, start: BgNbd = BgNbd(1.0, 1.0, 1.0, 1.0)) -> tuple[BgNbd, float]:
    """The maximum-likelihood BG/NBD parameters and the maximised log-likelihood."""
    x, t_x, T = _arrays(x, t_x, T)
    scale = float(np.max(T)) or 1.0  # α is in the data's time unit; starting it near the data's span helps

    def negative(log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(log_params)
        return -bgnbd_log_likelihood(BgNbd(r, alpha, a, b), x, t_x, T)

    first = np.log([start.r, start.alpha * scale, start.a, start.b])
    found = minimize(negative, first, method="L-BFGS-B", bounds=[(-12.0, 12.0)] * 4)
    r, alpha, a, b = (float(v) for v in np.exp(found.x))
    return BgNbd(r, alpha, a, b), float(-found.fun)


def p_alive(params: BgNbd, x, t_x, T) -> np.ndarray:
    """P(still alive | x, t_x, T), the paper's equation (12):
    1 / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)). A customer with no repeat purchase is alive (1):
    in the BG/NBD model nobody drops out before a repeat purchase."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    odds = np.zeros_like(x)
    repeat = x > 0
    odds[repeat] = (a / (b + x[repeat] - 1)) * ((alpha + T[repeat]) / (alpha + t_x[repeat])) ** (r + x[repeat])
    return 1.0 / (1.0 + odds)


def expected_purchases(params: BgNbd, t: float, x, t_x, T) -> np.ndarray:
    """E[purchases in the next t periods | x, t_x, T], the paper's equation (10):
    (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
    / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if t <= 0:
        return np.zeros_like(x)
    z = t / (alpha + T + t)
    bracket = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return (a + b + x - 1) / (a - 1) * bracket * p_alive(params, x, t_x, T)


def expected_purchases_new(params: BgNbd, t: float) -> float:
    """E[X(t)] for a customer just acquired, the paper's equation (9) — the check of the fitted curve:
    (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))]."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t))))


def gamma_gamma_log_likelihood(params: GammaGamma, x, m_x) -> float:
    """Σ ln f(m_x | p, q, γ, x) over repeat customers, the note's equation (3):
    f = Γ(px+q)/(Γ(px) Γ(q)) · γ^q x^(px) m_x^(px−1) / (γ + x·m_x)^(px+q)."""
    x, m_x = _arrays(x, m_x)
    p, q, g = params.p, params.q, params.gamma
    px = p * x
    return float(
        np.sum(
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(g)
            + px * np.log(x)
            + (px - 1) * np.log(m_x)
            - (px + q) * np.log(g + x * m_x)
        )
    )


def fit_gamma_gamma(x, m_x, *, start: GammaGamma = GammaGamma(1.0, 1.0, 1.0)) -> tuple[GammaGamma, float]:
    """The maximum-likelihood Gamma-Gamma parameters over the customers with x ≥ 1 and m_x > 0 (others are
    skipped: their mean spend is not observed), and the maximised log-likelihood."""
    x, m_x = _arrays(x, m_x)
    keep = (x > 0) & (m_x > 0)
    x, m_x = x[keep], m_x[keep]
    scale = float(np.mean(m_x)) if len(m_x) else 1.0

    def negative(log_params: np.ndarray) -> float:
        p, q, g = np.exp(log_params)
        return -gamma_gamma_log_likelihood(GammaGamma(p, q, g), x, m_x)

    first = np.log([start.p, start.q, start.gamma * scale])
    found = minimize(negative, first, method="L-BFGS-B", bounds=[(-12.0, 12.0)] * 3)
    p, q, g = (float(v) for v in np.exp(found.x))
    return GammaGamma(p, q, g), float(-found.fun)


def expected_spend(params: GammaGamma, x, m_x) -> np.ndarray:
    """E[spend per purchase | x, m_x], the note's equation (5): a weighted mean of the population mean
    pγ/(q−1) and the customer's own mean, (γ + x·m_x)·p / (px + q − 1). With x = 0 it is the population mean."""
    x, m_x = _arrays(x, m_x)
    p, q, g = params.p, params.q, params.gamma
    return (g + x * m_x) * p / (p * x + q - 1)


def clv(
    bgnbd: BgNbd,
    gg: GammaGamma,
    x,
    t_x,
    T,
    m_x,
    *,
    months: int = 12,
    periods_per_month: float = 30.0,
    monthly_discount: float = 0.01,
) -> np.ndarray:
    """Customer value over `months` months: Σ_i (E[purchases by month i] − E[… by month i−1]) · E[spend]
    / (1 + monthly_discount)^i — each month's expected purchases from BG/NBD, discounted at the month's end."""
    x, t_x, T, m_x = _arrays(x, t_x, T, m_x)
    spend = expected_spend(gg, x, m_x)
    total = np.zeros_like(x)
    before = np.zeros_like(x)
    for month in range(1, months + 1):
        by_now = expected_purchases(bgnbd, month * periods_per_month, x, t_x, T)
        total += (by_now - before) * spend / (1 + monthly_discount) ** month
        before = by_now
    return total


def to_money(value: float) -> Decimal:
    """An estimate as money: to the fen, half up (never below 0)."""
    return max(Decimal(repr(float(value))).quantize(FEN, rounding=ROUND_HALF_UP), Decimal("0.00"))
