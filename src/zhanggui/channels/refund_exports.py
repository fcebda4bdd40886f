"""Read a refund export with the right reader, telling the platform (and JD's two sheets) apart by the headers.

As channels.orders does for order exports: each kind of file has a few columns only it has (a SIGNATURE); the
first kind whose signature the header row holds is read. A platform given by the user narrows the kinds tried
to its own; a file none of them fits is refused with what each kind needs. docs/aftersales.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _

from zhanggui.channels import refunds, refunds_jd, refunds_pdd
from zhanggui.channels.orders import UnknownPlatform
from zhanggui.channels.records import JD, PDD, TAOBAO
from zhanggui.channels.refunds import RefundResult
from zhanggui.core.tabular import Column, DuplicateColumns, FileSource, MissingColumns, read_table

Reader = Callable[..., RefundResult]
#: kind → (platform, signature, reader). Tried in this order: the JD and PDD sheets name their own numbers
#: (赔付单号, 服务单号, 售后编号) and are tried before Taobao's broader 退款编号/退款单号.
KINDS: dict[str, tuple[str, Sequence[Column], Reader]] = {
    "jd_compensation": (JD, refunds_jd.COMPENSATION_SIGNATURE, refunds_jd.read_compensations),
    "jd_service": (JD, refunds_jd.SERVICE_SIGNATURE, refunds_jd.read_service_orders),
    "pdd": (PDD, refunds_pdd.SIGNATURE, refunds_pdd.read),
    "taobao": (TAOBAO, refunds.TAOBAO_SIGNATURE, refunds.read_refunds),
}
#: The platforms a refund export may be, as `--platform` names them.
REFUND_PLATFORMS = (TAOBAO, JD, PDD)


def refund_file_kind(file: FileSource, filename: str = "", *, platform: str | None = None) -> str | None:
    """Which refund export a file is (a key of KINDS), from its header row; None when none fits."""
    for kind, (kind_platform, signature, _reader) in KINDS.items():
        if platform is not None and kind_platform != platform:
            continue
        try:
            read_table(file=file, filename=filename, columns=signature)
        except MissingColumns:
            continue
        except DuplicateColumns:
            return kind  # the signature is there, twice: the reader says so
        return kind
    return None


def read_refund_export(*, file: FileSource, filename: str = "", platform: str | None = None) -> RefundResult:
    """The refunds of one export file, of `platform` when given (taobao, jd, pdd), else of the platform its
    headers say. Raises core.tabular.TableError for a file that cannot be read at all or is no refund export."""
    if platform is not None and platform not in REFUND_PLATFORMS:
        raise UnknownPlatform(_("Unknown platform %(platform)s.") % {"platform": platform})
    kind = refund_file_kind(file, filename, platform=platform)
    if kind is None and platform is not None:
        # The user said which platform: its main reader names the columns the file lacks.
        kind = {TAOBAO: "taobao", JD: "jd_service", PDD: "pdd"}[platform]
    if kind is None:
        raise UnknownPlatform(
            _(
                "%(file)s is not a refund export we can read: its header row has none of the columns of "
                "Taobao/Tmall 退款管理 (退款编号, 买家退款金额), JD 赔付单 (赔付单号, 赔付金额), JD 售后服务单 "
                "(服务单号, 订单号) or Pinduoduo 售后 (售后编号, 订单号, 售后状态)."
            )
            % {"file": filename or _("The file")}
        )
    return KINDS[kind][2](file=file, filename=filename)
