"""掌柜 Zhanggui — the operations desk for small online-shop teams."""

__version__ = "0.1.0"

from zhanggui.core import native as _native

_native.install_all()  # before any of its modules is imported: the pricing engine compiled, when built (ADR 0005)
