"""Approvals: one queue for what waits for a manager — price changes below cost or deeper than the approval limit
(catalog.price_changes) and promotions deeper than it (promotions.offers.services). It reads and writes through
those apps' selectors and services; `core` links to it only through the context processor's badge."""
