"""The pricing engine: one pure function prices a cart against the running promotions, to the fen.

    quote(cart, promotions) -> Quote

No database, no clock, no globals: the web store, the API, `zhanggui quote` and the what-if tool all call it
with the same inputs and get the same answer. The rules (with their sources) are in docs/pricing.md; in short:

1. Layers in order item → shop → coupon; each layer's thresholds are measured on the amounts after the layers
   before it.
2. Item layer: each unit gets the best non-stackable item promotion, then stackable ones on top; unit prices
   round half-up to the fen and never go below the line's floor (最低折扣价).
3. Shop layer: the combination of non-stackable shop promotions best for the buyer, each unit used by at most
   one of them (in the engine's order, common.order_key, never by id: conditions take the most expensive
   units, benefits the cheapest); stackable ones (满赠 by default) apply on top. Their discounts are placed
   on the units in that order too.
4. Coupon layer: at most one non-combinable coupon, plus combinable ones.
5. The choice is made over all three layers together (an item discount that would cost a 满减 threshold is
   left out when that makes the buyer pay strictly less), deterministically on ties; so adding a promotion
   never raises what the buyer pays (exact up to EXACT_SHOP shop and EXACT_ITEMS item promotions in play;
   beyond that a greedy plan is used, item promotions are all kept, and the quote's notes say so).
6. Order-level discounts are allocated (分摊) over the lines they cover in proportion to their amounts after
   the earlier layers, by largest remainder, so shares add up exactly, then within each line over its units;
   no line goes below its floor (or 0);
   then the optional order cap (max discount, amount or share of the list total) trims coupon, then shop.
Amounts are integer fen inside; Decimal strings outside.

The package follows the way a cart is priced (`pricing.quote` calls them in this order):
    basket       lines in a canonical order, units, floors, which promotions cover which lines
    items        the item layer: lots of units that get the same item price
    shop         one shop promotion's outcome on a set of units (满减, 满折, 满N件, 多买, 套餐, 满赠)
    coupons      which coupons, on which units, in which combination
    search       the choice across layers: item promotions kept, shop promotions and coupons used
    allocation   分摊: order-level discounts split over units by largest remainder
    caps         the order cap (max_discount, max_discount_rate)
    near_misses  thresholds not reached and what is missing
    results      what a quote returns

Built with `python -m zhanggui.core.build_native` (bin/start and bin/test do), these modules and spec.py run
compiled by mypyc, about 1.5× faster; any edit to them runs as plain Python until the next build (core/native.py).
"""

from zhanggui.promotions.engine.allocation import allocate
from zhanggui.promotions.engine.common import EXACT_ITEMS, EXACT_SHOP, times
from zhanggui.promotions.engine.pricing import quote
from zhanggui.promotions.engine.results import Gift, NearMiss, PricedLine, Quote, Share, as_decimal

__all__ = [
    "EXACT_ITEMS",
    "EXACT_SHOP",
    "Gift",
    "NearMiss",
    "PricedLine",
    "Quote",
    "Share",
    "allocate",
    "as_decimal",
    "quote",
    "times",
]
