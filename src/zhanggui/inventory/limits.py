"""The sanity limits of stock documents, in one place (docs/inventory.md, "Limits").

The services enforce them, so the pages, the API, the imports, the admin and the CLI all get them; the API
schemas and the forms repeat them as bounds so a client sees them in the OpenAPI document and a person sees
them on the field. They are far above what a shop of this size books and far below what the columns hold
(a 32-bit integer column on PostgreSQL; DecimalField(14, 2) for money), so a typo of a few extra zeros is
refused instead of stored, and no number a client sends reaches the database as an overflow.
"""

from __future__ import annotations

from decimal import Decimal

from zhanggui.inventory.models import MoveReason

# Units of one SKU on one line of a document: a move, a transfer, a reservation line, a purchase-order
# line, a receipt or a return line, a flash-sale buy.
MAX_LINE_QUANTITY = 1_000_000
# Units over all lines of one document: a purchase order, a receipt, a return, a reservation.
MAX_DOCUMENT_QUANTITY = 10_000_000
# Units one (SKU, warehouse) may hold, and the largest stocktake count.
MAX_ON_HAND = 100_000_000
MAX_COUNT = MAX_ON_HAND

# Money: a unit cost is 0.00 … 1,000,000.00 yuan; quantity × unit cost per line and the sum per document
# stay well inside DecimalField(14, 2) (999,999,999,999.99).
MAX_UNIT_COST = Decimal("1000000.00")
MAX_LINE_AMOUNT = Decimal("1000000000.00")
MAX_DOCUMENT_AMOUNT = Decimal("10000000000.00")

# The sign each kind of move must have: +1 into the warehouse, -1 out of it, 0 either way.
IN, OUT, EITHER = 1, -1, 0
MOVE_SIGN: dict[str, int] = {
    MoveReason.PURCHASE_RECEIPT: IN,
    MoveReason.SALE_ISSUE: OUT,
    MoveReason.RETURN: IN,
    MoveReason.SUPPLIER_RETURN: OUT,
    MoveReason.ADJUSTMENT: EITHER,
    MoveReason.STOCKTAKE: EITHER,
    MoveReason.TRANSFER: EITHER,
}

# A reservation's reference: an order or cart number. ASCII letters and digits, then also - _ . : — all
# safe in a URL path without escaping, so /reservations/<reference>/release always reaches it. It starts
# with a letter or digit (no "." or ".." a client would fold away) and is at most 64 characters.
REFERENCE_MAX_LENGTH = 64
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"

# A bin location (库位): what a picker reads on the shelf label and may scan. Stored upper-case; ASCII letters
# and digits, then also - _ . / (A-01-03, B2.3, R1/S4), at most 32 characters, no spaces.
LOCATION_MAX_LENGTH = 32
LOCATION_PATTERN = r"^[A-Z0-9][A-Z0-9_./-]{0,31}$"
