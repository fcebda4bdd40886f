"""The forms of the market's pages: the uploads, the library's filters, a new title, dictionary words, a rank
typed by hand, the alert setting, a competitor shop or item."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhanggui.catalog.models import Shop
from zhanggui.market.keyword_files import KEYWORD_KINDS
from zhanggui.market.models import CHANNEL_CHOICES, CompetitorShop, Device, ShopWordKind
from zhanggui.market.selectors import SORTS


def _kind_choices() -> list[tuple[str, object]]:
    return [("", _("Tell from the header row")), *((key, kind.label) for key, kind in KEYWORD_KINDS.items())]


class KeywordImportForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    file = forms.FileField(
        label=_("File"),
        help_text=_("A search-term export as the platform gives it: .csv (UTF-8 or GBK) or .xlsx, title rows and all."),
    )
    kind = forms.ChoiceField(label=_("Kind of report"), choices=_kind_choices, required=False)


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Keyword contains"), required=False, max_length=64)
    category = forms.CharField(label=_("Category"), required=False, max_length=64)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=list(zip(SORTS, [_("Potential"), _("Search popularity"), _("Keyword"), _("Latest day")], strict=True)),
    )


class TitleForm(forms.Form):
    title = forms.CharField(label=_("New title"), max_length=200)
    reason = forms.CharField(label=_("Why the change"), max_length=200, required=False)


class ShopWordsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ShopWordKind.choices)
    words = forms.CharField(
        label=_("Words"),
        max_length=500,
        help_text=_("One or more words, separated by spaces or commas."),
    )

    def cleaned_words(self) -> list[str]:
        text = self.cleaned_data["words"].replace("，", " ").replace(",", " ").replace("、", " ")
        return [word for word in text.split() if word]


# --------------------------------------------------------------------------------------------------------
# Ranks, competitors, the board
# --------------------------------------------------------------------------------------------------------


class RankImportForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    file = forms.FileField(
        label=_("File"),
        help_text=_("A rank-tracking export: 日期, 关键词, 商品ID, 排名 (empty or 100+ when not found), 设备."),
    )
    device = forms.ChoiceField(
        label=_("Device when the file has no 设备 column"), choices=Device.choices, initial=Device.MOBILE
    )


class ObservationForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    keyword = forms.CharField(label=_("Keyword"), max_length=64)
    item_id = forms.CharField(label=_("Item ID"), max_length=32)
    device = forms.ChoiceField(label=_("Device"), choices=Device.choices, initial=Device.MOBILE)
    position = forms.IntegerField(
        label=_("Search position"), min_value=1, required=False, help_text=_("Empty: not found in the pages searched.")
    )


class DropAlertForm(forms.Form):
    places = forms.IntegerField(label=_("Alert when an item drops more than (places)"), min_value=1, max_value=1000)


class SnapshotImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A competitor-watch export (日期, 店铺, 商品ID, 价格, 促销, 月销量, 评价数, 主图 or 主图哈希), or the 竞品 "
            "export of 生意参谋 or 京东商智."
        ),
    )
    platform = forms.ChoiceField(
        label=_("Platform of shops not watched yet"), choices=CHANNEL_CHOICES, initial="taobao"
    )


class CompetitorShopForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=64)
    platform = forms.ChoiceField(label=_("Platform"), choices=CHANNEL_CHOICES)
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CompetitorItemForm(forms.Form):
    competitor = forms.ModelChoiceField(label=_("Competitor shop"), queryset=CompetitorShop.objects.all())
    item_id = forms.CharField(label=_("Item ID"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")


class BoardImportForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    file = forms.FileField(
        label=_("File"),
        help_text=_("A 生意参谋 市场排行 export: 排名, 商品ID, 商品名称, 店铺名称, 价格, 交易指数, 流量指数."),
    )
    category = forms.CharField(
        label=_("Category"), max_length=64, required=False, help_text=_("When the file has no 类目 column.")
    )


class ReviewImportForm(forms.Form):
    KINDS = [("reviews", pgettext_lazy("market review", "Reviews")), ("questions", _("问大家 (Q&A)"))]

    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all())
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A review export: 评价时间, 商品ID, 评价ID, 评价内容, 评分 or 评价等级, 买家昵称, 订单号, 商家编码."
        ),
    )
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS, initial="reviews")
    snapshot_day = forms.DateField(
        label=_("Snapshot day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The day the reviews were exported (today when empty): a review missing from a later snapshot "
            "is flagged removed."
        ),
    )


class ThemeNameForm(forms.Form):
    name = forms.CharField(label=_("Theme name"), max_length=32, required=False)


class ThemeRunForm(forms.Form):
    themes = forms.IntegerField(
        label=_("Number of themes"),
        min_value=2,
        max_value=12,
        required=False,
        help_text=_("Empty: chosen from the texts."),
    )
