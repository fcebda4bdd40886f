"""The generated small demo shop, built once for the module (each test in a savepoint of it, rolled back after):
its history is consistent, its catalog, people and promotions are there, and it sells through orders."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone, translation

from zhanggui.catalog.models import BannedWord, Channel, DelistReason, ListingStatus, Product, Shop, Sku
from zhanggui.catalog.services import banned_words_for
from zhanggui.catalog.titles import check_title
from zhanggui.core import roles
from zhanggui.core.tests.rows import built_for_the_module
from zhanggui.demo.catalog_plan import (
    SMALL,
)
from zhanggui.demo.generator import DEFAULT_PASSWORD, DEMO_SHOP_CODES, DEMO_USERS, generate_demo
from zhanggui.demo.orders import peak_day, planned_orders
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    PurchaseStatus,
    Reservation,
    ReservationStatus,
    StockMove,
    Supplier,
    Warehouse,
)
from zhanggui.inventory.selectors import available_by_sku, safety_stock_alerts
from zhanggui.inventory.services import check_ledger
from zhanggui.orders.models import (
    QUEUE_STATUSES,
    SHIPPED_STATUSES,
    HoldKind,
    Order,
    OrderLine,
    OrderStatus,
    PlatformStatus,
)


@pytest.fixture(scope="module")
def _small_demo_built(django_db_setup, django_db_blocker, tmp_path_factory):
    """Generating the small demo takes seconds: once for the module, not once a test."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-media")
    quick = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=str(media),
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    )
    with quick, built_for_the_module(django_db_blocker, lambda: generate_demo(size=SMALL)) as built:
        yield built, media


@pytest.fixture
def small_demo(_small_demo_built, db, settings):
    built, media = _small_demo_built
    settings.MEDIA_ROOT = str(media)  # where the demo's pictures went
    return built


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_small_demo_books_every_stock_change_through_the_ledger(small_demo):
    assert check_ledger() == []
    reasons = set(StockMove.objects.values_list("reason", flat=True))
    assert {MoveReason.PURCHASE_RECEIPT, MoveReason.SALE_ISSUE, MoveReason.ADJUSTMENT} <= reasons
    assert Reservation.objects.filter(status=ReservationStatus.ACTIVE).exists()  # today's orders wait


def test_small_demo_history_is_backdated_over_the_simulated_days(small_demo):
    now = timezone.now()
    first = StockMove.objects.order_by("created_at").first()
    assert first.reason == MoveReason.PURCHASE_RECEIPT
    assert now - first.created_at > timedelta(days=SMALL.history_days - 1)
    assert StockMove.objects.filter(reason=MoveReason.SALE_ISSUE, created_at__gte=now - timedelta(days=30)).exists()
    assert not StockMove.objects.filter(created_at__gt=now).exists()
    assert PurchaseOrder.objects.order_by("created_at").first().created_at < now - timedelta(days=30)
    issued = Reservation.objects.filter(status=ReservationStatus.ISSUED).first()
    assert issued.closed_at > issued.created_at
    # Each move's running balance agrees with the order of the rewritten times.
    for sku_id, warehouse_id in StockMove.objects.values_list("sku_id", "warehouse_id").distinct()[:20]:
        running = 0
        for move in StockMove.objects.filter(sku_id=sku_id, warehouse_id=warehouse_id).order_by("created_at", "id"):
            running += move.quantity
            assert move.on_hand_after == running


def test_small_demo_titles_pass_the_stored_title_rules(small_demo):
    assert BannedWord.objects.filter(word="最", channel="").exists()
    for product in Product.objects.select_related("shop"):
        assert check_title(product.title, product.shop.channel, banned_words_for(product.shop.channel)) == []


def test_small_demo_has_shops_warehouses_suppliers_and_open_purchase_orders(small_demo):
    shops = dict(Shop.objects.values_list("code", "channel"))
    assert shops == {"tmall-flagship": Channel.TMALL, "jd-store": Channel.JD}
    sellable = Warehouse.objects.filter(sellable=True)
    assert list(sellable.values_list("name", "priority")) == [("杭州主仓", 1), ("广州分仓", 2)]
    # a return graded defective went to the 次品仓, made on first use
    assert set(Warehouse.objects.filter(sellable=False).values_list("code", flat=True)) <= {"defective"}
    assert Supplier.objects.count() == 5
    statuses = set(PurchaseOrder.objects.values_list("status", flat=True))
    assert PurchaseStatus.RECEIVED in statuses
    assert statuses & {PurchaseStatus.ORDERED, PurchaseStatus.PARTIAL}  # a few still on their way
    assert PurchaseOrder.objects.filter(created_by__username="warehouse").count() == PurchaseOrder.objects.count()


def test_small_demo_has_a_season_of_promotions_that_prices_a_demo_cart(small_demo):
    from zhanggui.promotions.engine import quote
    from zhanggui.promotions.models import Promotion
    from zhanggui.promotions.offers.selectors import running_promotions
    from zhanggui.promotions.spec import parse_cart

    statuses = dict(Promotion.objects.values_list("code", "state"))
    assert statuses == {
        "mj300": "approved",
        "d85": "approved",
        "half2": "approved",
        "set1": "approved",
        "zp199": "approved",
        "vip": "approved",
        "q20": "approved",
        "d11-mj": "approved",
        "d11-ms": "approved",
        "clear6": "submitted",
        "d12-mj": "draft",
    }
    d11 = Promotion.objects.get(code="d11-mj")
    local = timezone.localtime(d11.starts_at)
    assert (local.month, local.day, local.hour, local.minute) == (11, 11, 0, 0)
    assert d11.ends_at - d11.starts_at == timedelta(hours=23, minutes=59)
    assert Promotion.objects.get(code="set1").auto_approved  # within the limit: approved by the desk on submission
    shop = Shop.objects.get(code="tmall-flagship")
    running = running_promotions(shop=shop)
    assert [p.id for p in running] == ["d85", "half2", "mj300", "q20", "set1", "vip", "zp199"]
    skus = list(Sku.objects.filter(shop=shop).select_related("product__category").order_by("-price")[:3])
    cart = parse_cart(
        {
            "lines": [
                {"sku": s.code, "quantity": 2, "unit_price": str(s.price), "category": s.product.category.name}
                for s in skus
            ],
            "buyer": {"tier": "gold"},
            "coupons": ["MIANYU20"],
        }
    )
    priced = quote(cart, running).as_dict()
    assert Decimal(priced["totals"]["payable"]) < Decimal(priced["totals"]["list"])
    assert priced["gifts"][0]["sku"] == Promotion.objects.get(code="zp199").spec["gift_sku"]


def test_small_demo_leaves_some_skus_low_and_a_few_sold_out_and_off_sale(small_demo):
    alerts = safety_stock_alerts()
    assert len(alerts) >= 3
    assert any(a.issued_30d > 0 and a.days_of_cover is not None for a in alerts)
    available = available_by_sku(Sku.objects.values_list("pk", flat=True))
    sold_out = [pk for pk, units in available.items() if units <= 0]
    assert sold_out
    assert Sku.objects.filter(
        pk__in=sold_out, listing_status=ListingStatus.DELISTED, delist_reason=DelistReason.OUT_OF_STOCK
    ).exists()
    assert Product.objects.filter(listing_status=ListingStatus.LISTED).count() > Product.objects.count() // 2


def test_small_demo_has_one_login_per_role_with_its_group(small_demo):
    for username, role, display in DEMO_USERS:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.first_name == display
        assert user.check_password(DEFAULT_PASSWORD)
    manager = User.objects.get(username="manager")
    assert (manager.is_staff, manager.is_superuser) == (True, False)
    assert not User.objects.filter(username="operator", is_staff=True).exists()
    assert manager.has_perm(roles.MANAGE_SHOPS)


def test_small_demo_products_have_pictures_with_thumbnails(small_demo):
    from django.core.files.storage import default_storage

    from zhanggui.catalog.models import ImageKind, ProductImage
    from zhanggui.demo.generator import PICTURED

    pictures = list(ProductImage.objects.select_related("product"))
    assert len(pictures) == min(PICTURED, Product.objects.count())
    assert all(p.kind == ImageKind.MAIN and (p.width, p.height) == (800, 800) for p in pictures)
    assert all(default_storage.exists(p.thumb_small) and default_storage.exists(p.file.name) for p in pictures)


def test_small_demo_has_orders_in_every_status(small_demo):
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert statuses[OrderStatus.COMPLETED] + statuses[OrderStatus.SHIPPED] > sum(statuses.values()) / 2
    assert statuses[OrderStatus.SHIPPED] > 0 and statuses[OrderStatus.COMPLETED] > 0
    assert statuses[OrderStatus.PAID] > 0 and statuses[OrderStatus.REVIEWED] > 0
    assert statuses[OrderStatus.ALLOCATED] > 0
    assert statuses[OrderStatus.CANCELLED] > 0
    held = set(Order.objects.filter(status=OrderStatus.ON_HOLD).values_list("hold_kind", flat=True))
    assert {HoldKind.UNKNOWN_SKU, HoldKind.OUT_OF_STOCK} <= held
    overdue = Order.objects.filter(status__in=QUEUE_STATUSES, ship_by__lt=timezone.now())
    assert overdue.exists()
    assert all(timezone.now() - o.paid_at > timedelta(hours=24) for o in overdue)
    # Closed by the buyer on the platform before the wave, and settled by 客服 after a hold.
    assert Order.objects.filter(status=OrderStatus.CANCELLED, platform_status=PlatformStatus.CLOSED).exists()
    assert Order.objects.filter(status=OrderStatus.CANCELLED, platform_status=PlatformStatus.PAID).exists()


def test_small_demo_orders_look_like_the_platforms(small_demo):
    order = Order.objects.filter(status=OrderStatus.COMPLETED).first()
    assert order.buyer_nick and order.receiver_name and len(order.receiver_phone) == 11
    assert order.province and order.city and order.district and order.address
    assert order.carrier and order.tracking_no and order.shipped_at > order.paid_at
    assert order.paid_total == order.lines.aggregate(total=Sum("paid"))["total"]
    line = order.lines.first()
    assert line.sku is not None and line.unit_price == line.sku.price
    assert {"taobao", "jd"} == set(Order.objects.values_list("platform", flat=True))
    # The timeline is backdated with the story: imported at the wave, never in the future.
    assert not Order.objects.filter(imported_at__gt=timezone.now()).exists()
    assert Order.objects.order_by("imported_at").first().imported_at < timezone.now() - timedelta(days=30)


def test_small_demo_stock_left_through_the_orders(small_demo):
    assert check_ledger() == []
    issued = -StockMove.objects.filter(reason=MoveReason.SALE_ISSUE).aggregate(units=Sum("quantity"))["units"]
    shipped = OrderLine.objects.filter(order__status__in=SHIPPED_STATUSES).aggregate(units=Sum("quantity"))["units"]
    assert issued == shipped > 0
    documents = set(StockMove.objects.filter(reason=MoveReason.SALE_ISSUE).values_list("document", flat=True))
    shipped_numbers = set(Order.objects.filter(status__in=SHIPPED_STATUSES).values_list("platform_order_no", flat=True))
    assert documents == shipped_numbers
    # Allocated orders (today's and the overdue) hold their units.
    allocated = Order.objects.filter(status=OrderStatus.ALLOCATED)
    assert allocated.exists() and all(o.stock_reserved for o in allocated)


def test_small_demo_orders_per_day_follow_the_plan(small_demo):
    today = timezone.localdate()
    start = today - timedelta(days=SMALL.history_days)
    plan = planned_orders(SMALL.orders_per_day, start, SMALL.history_days)
    paid = Counter(
        (timezone.localtime(moment).date() - start).days
        for moment in Order.objects.filter(split_from=None).values_list("paid_at", flat=True)  # parts are ours
    )
    last = SMALL.history_days - 1  # the last full day also has the bulk orders that empty a few SKUs
    for day, count in plan.items():
        assert paid[day] >= count if day == last else paid[day] == count, day
    peak = peak_day(start, SMALL.history_days)
    assert plan[peak] == max(plan.values()) >= 3 * SMALL.orders_per_day
    assert paid[SMALL.history_days] > 0 and not paid[0]  # today, up to now; day 0 only opened the shop


def test_small_demo_has_after_sales_cases_over_its_history_and_some_near_their_deadline_today(small_demo):
    from zhanggui.aftersales.deadlines import time_left
    from zhanggui.aftersales.models import ACTIVE_STATUSES, AfterSaleCase, CaseStatus

    now = timezone.now()
    cases = list(AfterSaleCase.objects.prefetch_related("events", "lines__order_line"))
    assert len({case.kind for case in cases}) >= 3
    done = [case for case in cases if case.status == CaseStatus.CLOSED]
    assert done, "cases of the history are answered and closed"
    for case in done:
        moments = [event.at for event in case.events.all()]
        assert moments == sorted(moments) and moments[-1] < now - timedelta(hours=12)  # back-dated, in order
        assert case.created_at == moments[0] and case.closed_at == moments[-1]
        for line in case.lines.all():
            assert line.refund_amount <= line.order_line.paid
    badges = Counter(
        badge.kind for case in cases if case.status in ACTIVE_STATUSES and (badge := time_left(case, now)) is not None
    )
    assert badges["overdue"] >= 1 and badges["red"] >= 1 and badges["amber"] >= 1
    agents = {case.assignee.username for case in cases if case.assignee}
    assert agents == {"service", "service2"}


def test_small_demo_has_the_reports_a_team_imports_and_they_agree_with_its_orders(small_demo):
    from zhanggui.analytics.health import selectors as health
    from zhanggui.analytics.models import (
        AdDay,
        ItemDayTraffic,
        ServiceDay,
        ShopDayTraffic,
        ShopScoreDay,
        SourceDayTraffic,
    )

    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    for shop in Shop.objects.filter(code__in=["tmall-flagship", "jd-store"]):
        days = ShopDayTraffic.objects.filter(shop=shop)
        assert days.count() == SMALL.history_days
        assert days.order_by("-day").first().day == yesterday  # today's report is not out yet
        start = timezone.make_aware(timezone.datetime.combine(yesterday, timezone.datetime.min.time()))
        paid = Order.objects.filter(
            shop=shop,
            paid_at__gte=start,
            paid_at__lt=start + timedelta(days=1),
            is_replacement=False,
            split_from__isnull=True,
        )
        row = days.get(day=yesterday)
        # The report's paying figures are the orders' own, so conversion and AOV agree with the orders.
        assert row.paid_amount == (paid.aggregate(total=Sum("paid_total"))["total"] or Decimal("0.00"))
        assert row.paid_orders == paid.count()
        assert row.visitors >= 50 and row.pv > row.visitors
        sources = SourceDayTraffic.objects.filter(shop=shop, day=yesterday)
        assert sum(s.visitors for s in sources) == row.visitors
        assert sum(s.paying_buyers for s in sources) == row.paying_buyers
        assert sum(s.paid_amount for s in sources) == row.paid_amount
        assert AdDay.objects.filter(shop=shop, day=yesterday).exists()
        item_days = ItemDayTraffic.objects.filter(shop=shop, day=yesterday)
        # the items' paid amounts are the orders' lines (the shop's paid total holds postage too)
        assert sum(i.paid_amount for i in item_days) <= row.paid_amount
        assert all(i.product_id and i.paying_buyers <= i.visitors for i in item_days)
        assert ServiceDay.objects.filter(shop=shop, day=yesterday).count() == 2
        assert ShopScoreDay.objects.filter(shop=shop).count() == SMALL.history_days
    tmall = Shop.objects.get(code="tmall-flagship")
    due = health.appeals_due(shop=tmall)
    assert [v.rule for v in due] == ["延迟发货"] and due[0].appeal_deadline.date() == today + timedelta(days=1)
    assert [f.finding for f in health.open_findings(shop=tmall)] == ["5 个商品主图含牛皮癣文字"]


def test_small_demo_diagnosis_finds_the_plan_that_loses_money(small_demo):
    from zhanggui.analytics.diagnosis.selectors import diagnose

    tmall = Shop.objects.get(code="tmall-flagship")
    plans = [f.text for f in diagnose(shop=tmall) if f.rule == "ad_plan_roi"]
    assert any("枕头-清仓" in text for text in plans), plans


def test_small_demo_has_this_years_plan_with_actuals_against_it_and_next_years(small_demo):
    """Each shop: this year's plan approved (version 1) and a revision raising December (version 2), the months
    before the history planned at nothing, the quarters split; next year's plan by the template."""
    from zhanggui.catalog.models import Shop
    from zhanggui.planning import progress
    from zhanggui.planning.models import MonthlyReview, Plan, PlanActivity

    today = timezone.localdate()
    year = (today - timedelta(days=1)).year
    for shop in Shop.objects.filter(code__in=DEMO_SHOP_CODES):
        versions = list(Plan.objects.filter(shop=shop, year=year).order_by("version"))
        assert [v.version for v in versions] == [1, 2] and versions[0].is_approved and not versions[1].is_approved
        approved = {m.month: m.gmv_target for m in versions[0].months.all()}
        revised = {m.month: m.gmv_target for m in versions[1].months.all()}
        assert revised[12] > approved[12] and all(revised[m] == approved[m] for m in range(1, 12))
        assert versions[1].shares.exists() and Plan.objects.filter(shop=shop, year=year + 1).exists()
        periods = {p.kind: p for p in progress.for_shop(shop, today)}
        assert periods["month"].actual > 0 and periods["month"].forecast is not None
        assert periods["year"].target == sum(revised.values())
        assert versions[1].ad_budgets.filter(month=12, amount__gt=0).exists()
        assert PlanActivity.objects.filter(shop=shop, year=year, name="双11", gmv_target__gt=0).exists()
        last_month = today.replace(day=1) - timedelta(days=1)
        written = MonthlyReview.objects.get(shop=shop, year=last_month.year, month=last_month.month)
        assert written.went_well and (written.closed_at is not None) == (shop.channel != Channel.JD)


def test_small_demo_has_the_markets_month(small_demo):
    """A month of keywords per shop, two competitors whose snapshots of yesterday hold a price cut, a new
    promotion and a new main image, rank alerts of our items yesterday, the category board (docs/market.md)."""
    from zhanggui.market import competitors, ranks
    from zhanggui.market.board import board
    from zhanggui.market.models import CompetitorShop, KeywordDay

    yesterday = timezone.localdate() - timedelta(days=1)
    for shop in Shop.objects.filter(code__in=DEMO_SHOP_CODES):
        assert KeywordDay.objects.filter(shop=shop).count() == 15 * 30
        alerts = {(a.kind, a.keyword) for a in ranks.alerts(day=yesterday, shop=shop)}
        assert alerts == {("off_first_page", "四件套"), ("dropped", "纯棉四件套")}
    assert CompetitorShop.objects.count() == 2
    digest = competitors.digest(yesterday)
    kinds = sorted(c.kind for item in digest.items for c in item.changes)
    assert kinds == ["new_image", "new_promotion", "price_cut"]
    top = board(shop=Shop.objects.get(code="tmall-flagship"), category="床上用品", top=20)
    assert top.day == yesterday and len(top.items) == 20 and len(top.days) == 30


def test_small_demo_has_a_month_of_reviews_one_removed_and_themes(small_demo):
    """Reviews of our items with a few bad ones (客服 tasks), one removed review (删评), 问大家, themes."""
    from zhanggui.desk.models import Task
    from zhanggui.market.models import Question, Review, Theme

    for shop in Shop.objects.filter(code__in=DEMO_SHOP_CODES):
        assert Review.objects.filter(shop=shop).count() >= 20 and Question.objects.filter(shop=shop).exists()
        assert Theme.objects.filter(shop=shop).count() == 4
    assert Review.objects.filter(removed_on__isnull=False).exists()
    assert Task.objects.filter(alert_key__startswith="review:", role="service").exists()


def test_small_demo_has_a_year_of_buyers_with_the_repurchase_model_fitted(small_demo):
    """Members from the orders, a year of earlier purchases for the repeat buyers, tiers, and every person's
    forecast from a fitted model, some of them churn risks by model (docs/members.md, "Demo")."""
    from zhanggui.members.models import EarlierPurchase, Member, MemberForecast, RepurchaseFit

    people = Member.objects.filter(merged_into__isnull=True, orders_count__gt=0)  # earlier purchases count
    fit = RepurchaseFit.objects.get()
    assert fit.fitted and fit.repeat_buyers >= 30 and fit.people == people.count()
    assert EarlierPurchase.objects.filter(paid_on__gte=timezone.localdate() - timedelta(days=365)).count() == (
        EarlierPurchase.objects.count()
    )
    assert MemberForecast.objects.count() == people.count()
    assert MemberForecast.objects.filter(p_alive__lt=Decimal("0.5")).exists()
    assert MemberForecast.objects.filter(p_alive=Decimal("1.0000")).exists()  # the one-time buyers
    assert people.filter(tier__code__in=["silver", "gold"]).exists()


def test_small_demo_has_a_finished_coupon_campaign_with_its_control_group(small_demo):
    """回头客满199减20, sent 20 days ago to the saved segment 回头客 with a 10 % control group that received nothing;
    its report has a row a day from the sending day to today, with an interval (docs/members.md, "Demo")."""
    from django.test import Client
    from django.urls import reverse

    from zhanggui.members import campaigns
    from zhanggui.members.models import Campaign, CampaignGroup, CouponGrant, DeliveryStatus

    campaign = Campaign.objects.get(name="回头客满199减20")
    today = timezone.localdate()
    assert campaign.state == "sent" and campaign.segment.name == "回头客" and campaign.promotion.code == "q20"
    assert timezone.localdate(campaign.sent_at) == today - timedelta(days=20)
    rows = campaign.members.all()
    n = rows.count()
    control = rows.filter(group=CampaignGroup.CONTROL)
    assert control.count() == (n + 5) // 10 >= 2  # 10 % of n rounded half up: 186 people → 19
    assert set(control.values_list("status", flat=True)) == {DeliveryStatus.HELD_BACK}
    assert not control.filter(sent_at__isnull=False).exclude(text="").exists()
    assert not CouponGrant.objects.filter(campaign=campaign, member__in=control.values("member")).exists()
    treated = rows.filter(group=CampaignGroup.TREATMENT, status=DeliveryStatus.SENT)
    assert CouponGrant.objects.filter(campaign=campaign).count() == treated.count() > 0
    days = campaigns.report(campaign)
    assert [d.day for d in days] == [today - timedelta(days=20 - k) for k in range(21)]
    last = days[-1]
    assert last.gmv.low is not None and last.gmv.low <= last.gmv.diff <= last.gmv.high
    assert last.orders.treatment > 0  # its people have bought since: the report has figures
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    page = client.get(reverse("members:campaign", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en")
    table = page.content.decode().split('id="report-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == 21 + 1  # the header and a row a day
    assert f"{last.gmv.diff} ({last.gmv.low} … {last.gmv.high})" in table
