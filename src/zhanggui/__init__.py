"""掌柜 Zhanggui — the operations desk for small online-shop teams."""

__version__ = "0.1.0"
