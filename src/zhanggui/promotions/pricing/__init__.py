"""Pricing: a quote of a cart against promotions, and what-if (a draft promotion replayed over carts)."""
