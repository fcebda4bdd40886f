"""Read an upload of order export files with the right platform's reader, guessing the platform when not told.

Each platform's export is told apart by a few columns only it has (SIGNATURE in each module); Taobao's upload is
two files, told apart the same way, in any order. docs/orders-import.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhanggui.channels import jd, pdd, taobao
from zhanggui.channels import zhanggui as own_format
from zhanggui.channels.records import JD, PDD, PLATFORMS, TAOBAO, ZHANGGUI, ParseResult
from zhanggui.core.tabular import Column, DuplicateColumns, FileSource, MissingColumns, TableError, read_table

TAOBAO_ORDERS, TAOBAO_LINES = "taobao_orders", "taobao_lines"
#: Each kind of file: its platform and the columns that only it has. Tried in this order; the first match wins.
KINDS: dict[str, tuple[str, Sequence[Column]]] = {
    ZHANGGUI: (ZHANGGUI, own_format.SIGNATURE),
    TAOBAO_ORDERS: (TAOBAO, taobao.ORDERS_SIGNATURE),
    TAOBAO_LINES: (TAOBAO, taobao.LINES_SIGNATURE),
    JD: (JD, jd.SIGNATURE),
    PDD: (PDD, pdd.SIGNATURE),
}
#: The platforms as messages name them.
PLATFORM_NAMES = {
    TAOBAO: gettext_lazy("Taobao / Tmall"),
    JD: gettext_lazy("JD"),
    PDD: gettext_lazy("Pinduoduo"),
    ZHANGGUI: gettext_lazy("our own order file"),
}


class UnknownPlatform(TableError):
    """A file whose headers are no platform's order export we know."""

    code = "unknown_platform"


class WrongFiles(TableError):
    """Files that do not make one upload: two platforms, Taobao without one of its two files, one file too many."""

    code = "wrong_files"


def file_kind(file: FileSource, filename: str = "") -> str | None:
    """Which export a file is (a key of KINDS), from its header row; None when none fits.

    Raises core.tabular.UnreadableFile when the file is not a table at all.
    """
    for kind, (_platform, signature) in KINDS.items():
        try:
            read_table(file=file, filename=filename, columns=signature)
        except MissingColumns:
            continue
        except DuplicateColumns:
            return kind  # the signature is there, twice: the reader will say so
        return kind
    return None


def guess_platform(files: Sequence[tuple[FileSource, str]]) -> str:
    """The platform whose export the files are, from their headers. Raises UnknownPlatform or WrongFiles."""
    return _kinds(files)[0]


def read_orders(files: Sequence[tuple[FileSource, str]], platform: str | None = None) -> ParseResult:
    """The orders in one upload: (file, filename) pairs, Taobao's two files in any order, one file otherwise.

    The platform is guessed from the headers when None. File-level problems (a file that is not a table, no
    platform's columns, required columns missing, the wrong files) raise core.tabular.TableError; bad rows are
    in the result's errors, each with its file, line, column and reason, and the orders read without fault are
    in its orders (with any error, nothing should be stored: docs/orders-import.md).
    """
    if not files:
        raise WrongFiles(_("No file was given."))
    if platform is None:
        platform, kinds = _kinds(files)
    elif platform not in PLATFORMS:
        raise UnknownPlatform(_("Unknown platform %(platform)s.") % {"platform": platform})
    elif platform == TAOBAO:
        kinds = [file_kind(file, name) for file, name in files]
    else:
        kinds = [platform] * len(files)

    if platform == TAOBAO:
        by_kind = _taobao_pair(files, kinds)
        return taobao.read(orders=by_kind[TAOBAO_ORDERS], lines=by_kind[TAOBAO_LINES])
    if len(files) != 1:
        raise WrongFiles(
            _("A %(platform)s export is one file; %(count)s were given.")
            % {"platform": PLATFORM_NAMES[platform], "count": len(files)}
        )
    file, name = files[0]
    reader = {JD: jd.read, PDD: pdd.read, ZHANGGUI: own_format.read}[platform]
    return reader(file=file, filename=name)


def _kinds(files: Sequence[tuple[FileSource, str]]) -> tuple[str, list[str | None]]:
    if not files:
        raise WrongFiles(_("No file was given."))
    kinds = [file_kind(file, name) for file, name in files]
    for (_file, name), kind in zip(files, kinds, strict=True):
        if kind is None:
            raise UnknownPlatform(
                _(
                    "%(file)s is not an order export we can read: its header row has none of the columns of "
                    "Taobao (订单编号, 买家实际支付金额 / 购买数量), JD (订单号, 订购数量), Pinduoduo (订单号, "
                    "用户实付金额) or our own format (order_no, quantity, unit_price)."
                )
                % {"file": name}
            )
    platforms = {KINDS[kind][0] for kind in kinds if kind is not None}
    if len(platforms) > 1:
        raise WrongFiles(
            _("These files are exports of different platforms (%(platforms)s); upload one platform at a time.")
            % {"platforms": ", ".join(str(PLATFORM_NAMES[platform]) for platform in sorted(platforms))}
        )
    return platforms.pop(), kinds


def _taobao_pair(
    files: Sequence[tuple[FileSource, str]], kinds: Sequence[str | None]
) -> dict[str, tuple[FileSource, str]]:
    by_kind: dict[str, tuple[FileSource, str]] = {}
    for (file, name), kind in zip(files, kinds, strict=True):
        if kind not in (TAOBAO_ORDERS, TAOBAO_LINES):
            raise WrongFiles(
                _("%(file)s is neither Taobao's orders file (订单报表) nor its order-lines file (宝贝报表).")
                % {"file": name}
            )
        if kind in by_kind:
            raise WrongFiles(
                _("%(first)s and %(second)s are both Taobao %(kind)s files; give one of each.")
                % {"first": by_kind[kind][1], "second": name, "kind": _kind_name(kind)}
            )
        by_kind[kind] = (file, name)
    for kind in (TAOBAO_ORDERS, TAOBAO_LINES):
        if kind not in by_kind:
            raise WrongFiles(
                _(
                    "A Taobao export is two files, the orders file (订单报表, ExportOrderList) and the "
                    "order-lines file (宝贝报表, ExportOrderDetailList); the %(kind)s file is missing."
                )
                % {"kind": _kind_name(kind)}
            )
    return by_kind


def _kind_name(kind: str) -> str:
    return _("orders (订单报表)") if kind == TAOBAO_ORDERS else _("order-lines (宝贝报表)")
