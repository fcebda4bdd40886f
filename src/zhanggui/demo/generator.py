"""Generate the demo shop: two shops, the planned range, and 90 days of purchasing, sales and stock history.

Why it is built this way:
- Every change goes through the domain services as the person who would make it (运营 creates and lists the
  products, 仓管 buys, receives, ships and counts, orders are reserved by the `system` user as a channel
  import would), so the audit trail is real and `inventory.services.check_ledger()` finds no drift.
- The services stamp `created_at` with the current time. To give the desk 90 days of history, the generator
  books the events in simulated chronological order, remembers when each one happened (`_History`) and at the
  end rewrites the timestamps of the rows it created: StockMove, Reservation, PurchaseOrder, Stocktake,
  AuditEntry, Product and Sku. This rewrite is for demo data only; nothing else ever changes a ledger row.
- Sales are orders (demo.orders plans them): each wave imports the orders paid since the last cut-off as the
  platform's export (orders.imports.import_orders, per shop), then the warehouse allocates and ships them with
  orders.services, so every sale issue in the ledger is a shipped order's. A few buyers close their order on the
  platform, a few orders are held (unknown 商家编码, out of stock) and settled by 客服 two days later, a few are
  missed by the warehouse (overdue), and today's wait for the waves. The last two weeks' orders are picked in
  waves (orders.waves) before they ship; today a buyer's two orders are merged into one parcel and an order with
  a sold-out line is split (orders.parcels).
- The catalog comes from `catalog_plan.plan_catalog(seed)`, so the same seed gives the same titles and codes.
- Everything runs in one transaction: a failed run leaves no half-made demo shop behind.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhanggui.catalog import images
from zhanggui.catalog import services as catalog
from zhanggui.catalog.models import (
    Channel,
    DelistReason,
    ListingStatus,
    Product,
    ProductRole,
    Shop,
    Sku,
    WarehouseChoice,
)
from zhanggui.channels import records
from zhanggui.channels.records import ParsedOrder, ParseResult
from zhanggui.core import roles
from zhanggui.core.errors import DomainError
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import record_audit, system_user
from zhanggui.demo import orders as demo_orders
from zhanggui.demo.aftersales import create_demo_cases
from zhanggui.demo.analytics import create_demo_analytics
from zhanggui.demo.campaigns import create_demo_campaigns
from zhanggui.demo.catalog_plan import (
    BANNED_WORDS,
    CHANNEL_BANNED_WORDS,
    FULL,
    DemoSize,
    ProductPlan,
    SkuPlan,
    plan_catalog,
)
from zhanggui.demo.images import add_demo_pictures
from zhanggui.demo.market import create_demo_market
from zhanggui.demo.members import create_demo_members
from zhanggui.demo.planning import create_demo_plans
from zhanggui.inventory import services as inventory
from zhanggui.inventory.locations import set_location
from zhanggui.inventory.models import (
    MoveReason,
    PurchaseOrder,
    Reservation,
    StockBalance,
    StockMove,
    Stocktake,
    Supplier,
    Warehouse,
)
from zhanggui.inventory.purchasing import services as purchasing
from zhanggui.inventory.selectors import safety_stock_alerts
from zhanggui.inventory.stocktakes import services as stocktakes
from zhanggui.orders import parcels, waves
from zhanggui.orders import services as order_services
from zhanggui.orders.imports import import_orders
from zhanggui.orders.models import Order, OrderEvent, OrderStatus, Wave, WaveOrder

DEFAULT_SEED = 2024
WAVE_DAYS = 14  # the last two weeks' orders are picked in waves before they ship
PICTURED = 40  # products that get a picture: enough for the first page of the list, quick to make
# The password of every demo login unless `zhanggui demo --password` says otherwise. A demo on 127.0.0.1 only:
# change it (or use --password) before the desk is reachable by anyone else.
DEFAULT_PASSWORD = "zhanggui-demo"
DEMO_URL = "http://127.0.0.1:8000/"

# (code, name, channel, warehouse choice, platform of its order exports)
SHOPS = (
    ("tmall-flagship", "棉语家纺天猫旗舰店", Channel.TMALL, WarehouseChoice.PRIORITY, records.TAOBAO),
    ("jd-store", "棉语家纺京东专卖店", Channel.JD, WarehouseChoice.MOST_STOCK, records.JD),
)
DEMO_SHOP_CODES = [code for code, *_rest in SHOPS]
WAREHOUSES = (("hz-main", "杭州主仓", 1), ("gz-branch", "广州分仓", 2))
# Tmall ships from Hangzhou, JD from the Guangzhou branch; purchase orders go to the shop's home warehouse.
HOME_WAREHOUSE = {"tmall-flagship": "hz-main", "jd-store": "gz-branch"}
# (code, name, contact, phone, lead time in days)
SUPPLIERS = (
    ("nantong-jinhua", "南通锦华家纺有限公司", "周经理", "0513-8651 2290", 7),
    ("shaoxing-keqiao", "绍兴柯桥织造厂", "钱厂长", "0575-8412 3377", 10),
    ("gaoyang-hengrun", "高阳县恒润毛巾厂", "孙经理", "0312-6621 0458", 5),
    ("huzhou-silk", "湖州丝之源丝绸有限公司", "吴经理", "0572-2263 1189", 14),
    ("foshan-yaju", "佛山雅居家居服饰有限公司", "郑小姐", "0757-8330 6612", 8),
)
# (username, role, display name): one login per role.
DEMO_USERS = (
    ("manager", roles.MANAGER, "王店长"),
    ("operator", roles.OPERATOR, "李运营"),
    ("service", roles.SERVICE, "张客服"),
    ("service2", roles.SERVICE, "周客服"),  # a second agent: the after-sales reports compare agents
    ("warehouse", roles.WAREHOUSE, "赵仓管"),
    ("designer", roles.DESIGNER, "陈美工"),
    ("copywriter", roles.COPYWRITER, "刘文案"),
)

DRAFT_SHARE = 0.06  # new arrivals the designer and copywriter are still preparing
REVIEW_WEEKDAY_OFFSET = 1  # the warehouse reviews stock every 7th day, starting the day after opening
NEGLECT_DAYS = 30  # some SKUs were left out of the last reviews: they run low at the end
PARTIAL_EVERY = 6  # every 6th purchase order arrives in two parts...
CLOSE_SHORT_EVERY = 12  # ...and every 12th never gets its rest (closed short)
ADJUST_NOTES_OUT = ("运输破损", "包装污损报废", "质检不合格")
ADJUST_NOTES_IN = ("复核多出1件", "退货区找到")
CLOSED_SHARE = 0.03  # buyers who cancel on the platform before the wave ships their order
UNKNOWN_SHARE = 0.004  # orders whose line carries a 商家编码 the catalog does not know (an old listing)
UNKNOWN_CODE = "MY-OLD-2023"
REVIEW_WAIT = timedelta(minutes=30)  # today's orders paid more recently still wait for the review
COMPLETE_AFTER = 7  # days after shipping the buyer confirms receipt (交易成功)
HOLD_CANCEL_REASON = "缺货或编码有误，已与买家协商退款"
HOLD_CANCEL_AFTER = 2  # 客服 settles orders held for stock or an unknown code with the buyer: cancelled
COPY_EDITS = ("卖点更新：面料升级，手感更柔软。", "详情页文案更新：补充洗涤说明与尺寸对照。")


class DemoRefused(DomainError):
    code = "demo_refused"
    http_status = 409


@dataclass
class DemoSummary:
    seed: int
    shops: int = 0
    products: int = 0
    listed_products: int = 0
    skus: int = 0
    warehouses: int = 0  # sellable ones (the defective-stock warehouse returns create is not counted)
    suppliers: int = 0
    purchase_orders: dict[str, int] = field(default_factory=dict)
    stock_moves: int = 0
    sale_issues_30d: int = 0
    skus_low: int = 0  # available at or under safety stock
    skus_out: int = 0  # nothing available
    history_days: int = 0


def demo_exists() -> bool:
    return Shop.objects.filter(code__in=DEMO_SHOP_CODES).exists()


def reset_database() -> None:
    """Wipe every table (flush) so the demo can be generated again; refuses when other shops are present."""
    foreign = list(Shop.objects.exclude(code__in=DEMO_SHOP_CODES).values_list("code", flat=True)[:5])
    if foreign:
        raise DemoRefused(
            _(
                "This database holds shops that are not the demo (%(shops)s): --reset would delete them. "
                "Use another ZHANGGUI_DATA_DIR or DATABASE_URL for the demo."
            )
            % {"shops": ", ".join(foreign)}
        )
    pictures = images.stored_files()
    call_command("flush", interactive=False, verbosity=0)
    images.remove_files(pictures)  # the rows are gone: their files would be left behind
    roles.ensure_roles()


def ensure_demo_users(password: str = DEFAULT_PASSWORD) -> dict[str, Any]:
    """One login per role (two for 客服); existing users keep their password and get their group back if it was
    removed."""
    User = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    hashed = None  # hashing is slow on purpose: do it once for the six users
    people: dict[str, Any] = {}
    for username, role, display in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            hashed = hashed or make_password(password)
            user = User(
                username=username,
                first_name=display,
                email=f"{username}@demo.zhanggui.local",
                is_staff=role == roles.MANAGER,  # the manager may use the admin, within the role's permissions
                password=hashed,
            )
            user.full_clean()
            user.save()
        user.groups.add(groups[role])
        people.setdefault(role, user)  # the first user of a role acts for it
        people[username] = user
    return people


def _max_pk(model) -> int:
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


class _History:
    """Remembers when each simulated event happened and rewrites the timestamps at the end (demo data only)."""

    MODELS = (
        (StockMove, "created_at"),
        (AuditEntry, "at"),
        (Reservation, "created_at"),
        (Order, "imported_at"),
        (OrderEvent, "at"),
        (Wave, "created_at"),
        (WaveOrder, "added_at"),
    )

    def __init__(self) -> None:
        self.last = {model: _max_pk(model) for model, _field in self.MODELS}
        self.first_order = self.last[Order]
        self.spans: list[tuple[Any, str, int, int, datetime]] = []
        self.closings: list[tuple[int, int, datetime]] = []  # reservations (pk range) issued at a moment
        self.purchase_orders: dict[int, datetime] = {}
        self.stocktakes: dict[int, datetime] = {}

    def mark(self, when: datetime) -> None:
        """Everything booked since the previous mark happened at `when`."""
        for model, field_name in self.MODELS:
            top = _max_pk(model)
            if top > self.last[model]:
                self.spans.append((model, field_name, self.last[model], top, when))
                self.last[model] = top

    def rewrite(self) -> None:
        for model, field_name, low, high, when in self.spans:
            model.objects.filter(pk__gt=low, pk__lte=high).update(**{field_name: when})
        for low, high, when in self.closings:
            Reservation.objects.filter(pk__gt=low, pk__lte=high, closed_at__isnull=False).update(closed_at=when)
        latest = OrderEvent.objects.filter(order=OuterRef("pk")).order_by("-at").values("at")[:1]
        Order.objects.filter(pk__gt=self.first_order).update(updated_at=Subquery(latest))
        for pk, when in self.purchase_orders.items():
            PurchaseOrder.objects.filter(pk=pk).update(created_at=when)
        for pk, when in self.stocktakes.items():
            Stocktake.objects.filter(pk=pk).update(created_at=when, booked_at=when)


@dataclass(frozen=True)
class _Sale:
    """An order as the story sold it: its shop, its export row, the units it promised per SKU id."""

    shop_code: str
    parsed: ParsedOrder
    units: dict[int, int]


@dataclass
class _SkuState:
    plan: SkuPlan
    product: int  # index into the plan list
    sku: Sku
    shop_code: str
    supplier: str
    pack: int


class _Story:
    """The simulated days: opening stock, listing, two shipping waves a day, weekly purchasing, a stocktake."""

    def __init__(self, *, seed: int, size: DemoSize, today: date, people: dict[str, Any]) -> None:
        self.rng = random.Random(f"zhanggui-demo-history-{seed}")
        self.size = size
        self.days = size.history_days
        self.start = today - timedelta(days=self.days)
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.people = people
        self.system = system_user()
        self.history = _History()
        self.on_hand: dict[tuple[int, int], int] = defaultdict(int)
        self.on_order: dict[int, int] = defaultdict(int)
        self.receipts: dict[int, list[tuple[PurchaseOrder, dict[int, int]]]] = defaultdict(list)
        self.closings: dict[int, list[tuple[PurchaseOrder, dict[int, int]]]] = defaultdict(list)
        self.po_count = 0
        self.transferred: set[int] = set()
        self.selling: set[int] = set()  # indexes of the products on sale
        self.neglected: set[int] = set()  # SKU ids left out of the last reviews
        self.campaign_day = self.days - 20  # campaign products sell three times as much that day
        # The orders: the plan per day, the sales paid but not imported yet, those imported but not shipped.
        self.plan = demo_orders.planned_orders(size.orders_per_day, self.start, self.days)
        self.peak = demo_orders.peak_day(self.start, self.days)
        self.lift = {day: count / size.orders_per_day for day, count in self.plan.items()}
        self.incoming: list[_Sale] = []
        self.open: dict[str, _Sale] = {}
        self.promised: dict[int, int] = defaultdict(int)  # units of open sales, per SKU id
        self.held: list[tuple[int, _Sale]] = []
        self.shipped_on: dict[int, list[_Sale]] = defaultdict(list)
        self.sequence = 0
        self.overdue_left = max(1, size.orders_per_day // 60)

    # -- time ------------------------------------------------------------------------------------------

    def when(self, day: int, hour: int, minute: int = 0) -> datetime:
        moment = datetime.combine(self.start + timedelta(days=day), time(hour, minute), tzinfo=self.tz)
        return min(moment, self.now)

    def mark(self, day: int, hour: int, minute: int = 0) -> datetime:
        moment = self.when(day, hour, minute)
        self.history.mark(moment)
        return moment

    # -- set-up -----------------------------------------------------------------------------------------

    def set_up(self, plans: list[ProductPlan]) -> None:
        manager, operator = self.people[roles.MANAGER], self.people[roles.OPERATOR]
        planned = sum(sku.daily_demand for plan in plans for sku in plan.skus) or 1
        self.rate = self.size.orders_per_day * demo_orders.UNITS_PER_ORDER / planned
        catalog.add_banned_words(actor=manager, words=BANNED_WORDS, reason="广告法 absolute terms")
        for channel, words in CHANNEL_BANNED_WORDS.items():
            catalog.add_banned_words(actor=manager, words=words, channel=channel, reason="names another platform")
        self.shops: dict[str, Shop] = {}
        self.platform: dict[str, str] = {}
        for code, name, channel, choice, platform in SHOPS:
            # No catalog service creates shops yet (they are set up once, in the admin): validate and save here.
            shop = Shop(code=code, name=name, channel=channel, warehouse_choice=choice)
            shop.full_clean()
            shop.save()
            record_audit(actor=manager, action="shop.create", obj=shop, after={"channel": channel})
            self.shops[code], self.platform[code] = shop, platform
        self.warehouses = {
            code: inventory.create_warehouse(actor=manager, code=code, name=name, priority=priority)
            for code, name, priority in WAREHOUSES
        }
        self.suppliers: dict[str, Supplier] = {
            code: purchasing.create_supplier(
                actor=manager, code=code, name=name, contact=contact, phone=phone, lead_time_days=lead
            )
            for code, name, contact, phone, lead in SUPPLIERS
        }
        categories = {}
        self.products: list[Product] = []
        self.skus: list[_SkuState] = []
        for index, plan in enumerate(plans):
            if plan.category not in categories:
                categories[plan.category] = catalog.get_or_create_category(plan.category)
            product = catalog.create_product(
                actor=operator,
                shop=self.shops[plan.shop_code],
                code=plan.code,
                title=plan.title,
                category=categories[plan.category],
                role=plan.role,
                description=plan.description,
            )
            self.products.append(product)
            for sku_plan in plan.skus:
                sku = catalog.create_sku(
                    actor=operator,
                    product=product,
                    code=sku_plan.code,
                    price=sku_plan.price,
                    cost=sku_plan.cost,
                    barcode=sku_plan.barcode,
                    spec=sku_plan.spec,
                    weight_g=sku_plan.weight_g,
                    safety_stock=sku_plan.safety_stock,
                )
                pack = 10 if sku_plan.daily_demand * self.rate >= 0.3 else 5
                self.skus.append(_SkuState(sku_plan, index, sku, plan.shop_code, plan.supplier, pack))
        self.plans = plans
        self.by_code = {s.sku.code: s for s in self.skus}
        self.shelve()
        self.mark(0, 8)

    def shelve(self) -> None:
        """Bin locations (库位) in each SKU's home warehouse: a product's SKUs side by side in one bay, ten bays
        an aisle; every 12th JD product is not shelved yet, so Guangzhou's pick lists end under "No location"."""
        bays: dict[str, dict[int, int]] = defaultdict(dict)  # warehouse code → product index → bay number
        levels: dict[int, int] = defaultdict(int)  # product index → SKUs shelved so far
        for state in self.skus:
            code = HOME_WAREHOUSE[state.shop_code]
            if state.shop_code == "jd-store" and state.product % 12 == 11:
                continue
            bay = bays[code].setdefault(state.product, len(bays[code]))
            levels[state.product] += 1
            set_location(
                actor=self.people[roles.WAREHOUSE],
                warehouse=self.warehouses[code],
                sku=state.sku,
                code=f"{chr(65 + bay // 10)}-{bay % 10 + 1:02d}-{levels[state.product]:02d}",
            )

    # -- purchasing -------------------------------------------------------------------------------------

    def home(self, state: _SkuState) -> Warehouse:
        return self.warehouses[HOME_WAREHOUSE[state.shop_code]]

    def total_on_hand(self, state: _SkuState) -> int:
        return sum(self.on_hand[(state.sku.pk, w.pk)] for w in self.warehouses.values())

    def order(self, day: int, lines: Iterable[tuple[_SkuState, int]], *, note: str, opening: bool = False):
        """One purchase order per (supplier, warehouse), its deliveries scheduled: whole, in two parts, or short."""
        by_source: dict[tuple[str, str], list[tuple[_SkuState, int]]] = defaultdict(list)
        for state, quantity in lines:
            by_source[(state.supplier, HOME_WAREHOUSE[state.shop_code])].append((state, quantity))
        for (supplier_code, warehouse_code), group in by_source.items():
            supplier = self.suppliers[supplier_code]
            arrive = day if opening else day + supplier.lead_time_days + self.rng.choice((-1, 0, 0, 0, 1, 2))
            po = purchasing.create_purchase_order(
                actor=self.people[roles.WAREHOUSE],
                supplier=supplier,
                warehouse=self.warehouses[warehouse_code],
                lines=[(s.sku, q, s.sku.cost) for s, q in group],
                expected_on=self.start + timedelta(days=day if opening else day + supplier.lead_time_days),
                note=note,
            )
            self.history.purchase_orders[po.pk] = self.when(day, 8, 30) if opening else self.when(day, 16, 30)
            quantities = {s.sku.pk: q for s, q in group}
            for sku_id, quantity in quantities.items():
                self.on_order[sku_id] += quantity
            self.po_count += 1
            if opening or self.po_count % PARTIAL_EVERY != PARTIAL_EVERY // 2:
                self.receipts[arrive].append((po, quantities))
                continue
            first = {k: max(1, q * self.rng.randint(50, 90) // 100) for k, q in quantities.items()}
            rest = {k: q - first[k] for k, q in quantities.items() if q > first[k]}
            self.receipts[arrive].append((po, first))
            if self.po_count % CLOSE_SHORT_EVERY == CLOSE_SHORT_EVERY // 2 + PARTIAL_EVERY // 2:
                self.closings[arrive + 7].append((po, rest))
            elif rest:
                self.receipts[arrive + self.rng.randint(3, 6)].append((po, rest))

    def receive(self, day: int) -> None:
        for i, (po, quantities) in enumerate(self.receipts.pop(day, [])):
            purchasing.receive_purchase_order(actor=self.people[roles.WAREHOUSE], po=po, quantities=quantities)
            for sku_id, quantity in quantities.items():
                self.on_hand[(sku_id, po.warehouse_id)] += quantity
                self.on_order[sku_id] -= quantity
            self.mark(day, 9, 30 + i % 30)

    def close_short(self, day: int) -> None:
        for po, rest in self.closings.pop(day, []):
            purchasing.close_purchase_order(actor=self.people[roles.WAREHOUSE], po=po)
            for sku_id, quantity in rest.items():
                self.on_order[sku_id] -= quantity
            self.mark(day, 16)

    def review(self, day: int) -> None:
        """The weekly replenishment: order up to lead time + 4 weeks of demand when cover is short."""
        lines = []
        neglect_from = self.days - NEGLECT_DAYS
        for state in self.skus:
            if state.product not in self.selling or (day >= neglect_from and state.sku.pk in self.neglected):
                continue
            lead = self.suppliers[state.supplier].lead_time_days
            projected = self.total_on_hand(state) + self.on_order[state.sku.pk] - self.promised[state.sku.pk]
            if projected < math.ceil(self.need(state, day, lead + 7)) + state.plan.safety_stock:
                wanted = math.ceil(self.need(state, day, lead + 28)) + state.plan.safety_stock - projected
                lines.append((state, math.ceil(wanted / state.pack) * state.pack))
        if lines:
            self.order(day, lines, note="每周补货")

    # -- selling ----------------------------------------------------------------------------------------

    def daily(self, state: _SkuState) -> float:
        """Units of the SKU sold on an ordinary day: the plan's demand scaled to the size's orders."""
        return state.plan.daily_demand * self.rate

    def need(self, state: _SkuState, day: int, span: int) -> float:
        """Units the SKU will sell over `span` days from `day`, the big sale's lift included (备货)."""
        return self.daily(state) * sum(self.lift.get(d, 1.0) for d in range(day, day + span))

    def best_free(self, state: _SkuState) -> int:
        return max(self.on_hand[(state.sku.pk, w.pk)] for w in self.warehouses.values())

    def free(self, state: _SkuState) -> int:
        """What the platform still shows as stock: on hand less the units of orders not shipped yet."""
        return self.total_on_hand(state) - self.promised[state.sku.pk]

    def sell(self, day: int) -> None:
        """The day's orders, paid over the day; each waits for the next wave's import."""
        midnight = datetime.combine(self.start + timedelta(days=day), time(0), tzinfo=self.tz)
        count = self.plan.get(day, self.size.orders_per_day)
        moments = demo_orders.paid_moments(self.rng, midnight, count, peak=day == self.peak)
        if day >= self.days:
            moments = [m for m in moments if m < self.now - timedelta(minutes=1)]
        shops: dict[str, tuple[list[_SkuState], list[float]]] = {}
        for shop_code in self.shops:
            states = [s for s in self.skus if s.shop_code == shop_code and s.product in self.selling]
            weights = []
            for state in states:
                campaign = day == self.campaign_day and self.plans[state.product].role == ProductRole.CAMPAIGN
                weights.append(self.daily(state) * (3 if campaign else 1))
            shops[shop_code] = (states, weights)
        shop_codes = list(shops)
        shop_weights = [sum(shops[c][1]) for c in shop_codes]
        for paid_at in moments:
            shop_code = self.rng.choices(shop_codes, weights=shop_weights)[0]
            states, weights = shops[shop_code]
            wanted: list[tuple[_SkuState, int]] = []
            for quantity in demo_orders.lines_and_quantities(self.rng):
                for _try in range(6):  # a SKU sold out on the platform is not bought: another one is
                    state = self.rng.choices(states, weights=weights)[0]
                    if self.free(state) >= quantity and all(state is not s for s, _q in wanted):
                        wanted.append((state, quantity))
                        self.promised[state.sku.pk] += quantity
                        break
            if wanted:
                # One a week at least (the desk shows such a hold, and how 客服 settled it).
                unknown = self.rng.random() < UNKNOWN_SHARE or (day % 7 == 2 and paid_at is moments[0])
                self.add_sale(shop_code, paid_at, wanted, unknown=unknown)

    def add_sale(
        self,
        shop_code: str,
        paid_at: datetime,
        wanted: list[tuple[_SkuState, int]],
        *,
        unknown: bool = False,
        who: demo_orders.Customer | None = None,
    ) -> _Sale:
        """One paid order: `wanted` units (already promised), the first line's code unknown if asked."""
        self.sequence += 1
        platform = self.platform[shop_code]
        if platform == records.JD:
            number = str(30_000_000_000 + self.sequence * 97 + self.rng.randrange(97))
        else:
            number = f"{paid_at:%y%m%d}{self.sequence:07d}{self.rng.randrange(100000):05d}"
        wishes = [
            demo_orders.LineWish(
                sku_code=UNKNOWN_CODE if unknown and i == 0 else state.sku.code,
                title=self.products[state.product].title,
                spec=state.sku.spec,
                quantity=quantity,
                price=state.sku.price,
            )
            for i, (state, quantity) in enumerate(wanted)
        ]
        parsed = demo_orders.parsed_order(
            self.rng,
            platform=platform,
            order_no=number,
            paid_at=paid_at,
            wishes=wishes,
            who=who or demo_orders.customer(self.rng, platform),
        )
        sale = _Sale(shop_code, parsed, {s.sku.pk: q for s, q in wanted})
        self.incoming.append(sale)
        return sale

    def settle(self, sale: _Sale) -> None:
        """The sale is shipped or cancelled: its units are no longer promised."""
        self.open.pop(sale.parsed.order_no, None)
        for sku_id, quantity in sale.units.items():
            self.promised[sku_id] -= quantity

    def import_sales(self, sales: list[_Sale], moment: datetime) -> dict[str, Order]:
        """One import per shop of the orders in its export (as they stand), booked at `moment`."""
        for shop_code, shop in self.shops.items():
            parsed = [s.parsed for s in sales if s.shop_code == shop_code]
            if parsed:
                result = ParseResult(platform=self.platform[shop_code], orders=parsed)
                report = import_orders(actor=self.people[roles.OPERATOR], shop=shop, result=result)
                assert report.ok, report.rejected  # the demo writes valid exports
        self.history.mark(moment)
        numbers = [s.parsed.order_no for s in sales]
        return {o.platform_order_no: o for o in Order.objects.filter(platform_order_no__in=numbers)}

    def take_in(self, cut_off: datetime, moment: datetime) -> list[tuple[_Sale, Order]]:
        """Import the orders paid before the cut-off; a few buyers cancel on the platform before the wave."""
        due = [s for s in self.incoming if s.parsed.paid_at < cut_off]
        if not due:
            return []
        self.incoming = [s for s in self.incoming if s.parsed.paid_at >= cut_off]
        orders = self.import_sales(due, moment)
        for sale in due:
            self.open[sale.parsed.order_no] = sale
        closing = [s for s in due if self.rng.random() < CLOSED_SHARE]
        if not Order.objects.filter(shop__in=self.shops.values(), status=OrderStatus.CANCELLED).exists():
            closing = closing or due[:1]  # the desk shows at least one
        if closing:
            closed = [replace(s, parsed=demo_orders.as_status(s.parsed, records.CLOSED)) for s in closing]
            orders.update(self.import_sales(closed, moment + timedelta(minutes=5)))
        taken = []
        for sale in due:
            order = orders[sale.parsed.order_no]
            if order.status == OrderStatus.CANCELLED:
                self.settle(sale)
            elif order.status == OrderStatus.ON_HOLD:
                self.held.append((self.day_of(sale.parsed.paid_at), sale))
            else:
                taken.append((sale, order))
        return taken

    def day_of(self, moment: datetime) -> int:
        return (timezone.localtime(moment, self.tz).date() - self.start).days

    def wave(self, day: int, half: str) -> None:
        """One shipping wave: the orders paid since the last cut-off imported, allocated, then shipped. Before
        the last WAVE_DAYS days the shop shipped from the platform's back office (platform_wave)."""
        hour = 10 if half == "AM" else 14
        if day < self.days - WAVE_DAYS:
            self.platform_wave(day, hour)
            return
        taken = self.take_in(self.when(day, hour), self.when(day, hour))
        if not taken:
            return
        warehouse = self.people[roles.WAREHOUSE]
        first_reservation = _max_pk(Reservation)
        allocated = []
        for sale, order in taken:
            order = order_services.allocate(actor=warehouse, order=order)
            if order.status == OrderStatus.ON_HOLD:
                self.held.append((day, sale))
            else:
                allocated.append((sale, order))
        self.mark(day, hour, 30)
        if day in (self.days - 3, self.days - 2) and self.overdue_left:
            kept = min(self.overdue_left, len(allocated))
            self.overdue_left -= kept
            allocated = allocated[kept:]  # the warehouse missed these: still allocated, now overdue
        made = self.make_waves(day, hour) if day >= self.days - WAVE_DAYS else []
        last_reservation = _max_pk(Reservation)
        first_move = _max_pk(StockMove)
        shipped_at = self.when(day, hour + 1)
        for sale, order in allocated:
            carrier, number = demo_orders.tracking(self.rng, sale.parsed.platform)
            order_services.ship(actor=warehouse, order=order, carrier=carrier, tracking_no=number, at=shipped_at)
            self.settle(sale)
            self.shipped_on[day].append(
                replace(
                    sale,
                    parsed=demo_orders.as_status(
                        sale.parsed, records.SHIPPED, carrier=carrier, tracking_no=number, shipped_at=shipped_at
                    ),
                )
            )
        self.count_moves_since(first_move)
        waves.finish_waves(made)
        self.history.closings.append((first_reservation, last_reservation, shipped_at))
        self.mark(day, hour + 1)

    def count_moves_since(self, first_move: int) -> None:
        """The story's on-hand follows the ledger's moves booked since `first_move` (a wave's sales)."""
        for sku_id, warehouse_id, quantity in StockMove.objects.filter(pk__gt=first_move).values_list(
            "sku_id", "warehouse_id", "quantity"
        ):
            self.on_hand[(sku_id, warehouse_id)] += quantity

    def platform_wave(self, day: int, hour: int) -> None:
        """Before the shop picked in waves here, it shipped from the platform's back office: the orders paid since
        the last cut-off come in the export already shipped (a few closed by their buyers) and the import books
        their sales in bulk, as it does for any shipped order it meets first (orders.import_store). This is what
        lets the full demo carry ~300 orders a day in about a minute; the last WAVE_DAYS days go through the
        desk's allocate, wave and ship."""
        cut = self.when(day, hour)
        due = [s for s in self.incoming if s.parsed.paid_at < cut]
        if not due:
            return
        self.incoming = [s for s in self.incoming if s.parsed.paid_at >= cut]
        shipped_at = self.when(day, hour + 1)
        sales = []
        for sale in due:
            self.open[sale.parsed.order_no] = sale
            if self.rng.random() < CLOSED_SHARE:
                parsed = demo_orders.as_status(sale.parsed, records.CLOSED)
            else:
                carrier, number = demo_orders.tracking(self.rng, sale.parsed.platform)
                parsed = demo_orders.as_status(
                    sale.parsed, records.SHIPPED, carrier=carrier, tracking_no=number, shipped_at=shipped_at
                )
            sales.append(replace(sale, parsed=parsed))
        first_reservation = _max_pk(Reservation)
        first_move = _max_pk(StockMove)
        orders = self.import_sales(sales, cut)
        for sale in sales:
            order = orders[sale.parsed.order_no]
            if order.status == OrderStatus.ON_HOLD:
                self.held.append((day, sale))
                continue
            self.settle(sale)
            if order.status == OrderStatus.SHIPPED:
                self.shipped_on[day].append(sale)
        self.count_moves_since(first_move)
        self.history.closings.append((first_reservation, _max_pk(Reservation), shipped_at))

    def make_waves(self, day: int, hour: int) -> list[Wave]:
        """仓管 takes the allocated orders of each warehouse into a wave before the cut-off (picking)."""
        made = []
        at = self.when(day, hour, 40)
        for warehouse_id in sorted(waves.waiting_order_ids()):
            warehouse = next(w for w in self.warehouses.values() if w.pk == warehouse_id)
            made.append(waves.create_wave(actor=self.people[roles.WAREHOUSE], warehouse=warehouse, at=at))
        self.mark(day, hour, 40)
        return made

    def follow_up(self, day: int) -> None:
        """客服 settles old holds with the buyer (cancelled); buyers confirm receipt a week after shipping."""
        old = [(d, s) for d, s in self.held if d <= day - HOLD_CANCEL_AFTER]
        self.held = [(d, s) for d, s in self.held if d > day - HOLD_CANCEL_AFTER]
        if old:
            numbers = [s.parsed.order_no for _d, s in old]
            for order in Order.objects.filter(platform_order_no__in=numbers, status=OrderStatus.ON_HOLD):
                order_services.cancel(actor=self.people[roles.SERVICE], order=order, reason=HOLD_CANCEL_REASON)
            for _d, sale in old:
                self.settle(sale)
            self.mark(day, 16, 15)
        shipped = self.shipped_on.pop(day - COMPLETE_AFTER, [])
        if shipped:
            completed = [replace(s, parsed=demo_orders.as_status(s.parsed, records.COMPLETED)) for s in shipped]
            self.import_sales(completed, self.when(day, 20))

    def today(self) -> None:
        """Today: the orders since yesterday's last cut-off wait for the waves, paid, reviewed or allocated."""
        now = self.now.replace(microsecond=0)
        self.sell(self.days)
        # One buyer pays for a SKU the platform still showed (超卖), one for an old listing's code.
        sold_out = [s for s in self.skus if s.product in self.selling and self.free(s) <= 0]
        stocked = [s for s in self.skus if s.product in self.selling and self.free(s) > 0]
        if sold_out:
            self.add_sale(sold_out[0].shop_code, now - timedelta(minutes=50), [(sold_out[0], 1)])
            self.promised[sold_out[0].sku.pk] += 1
        for minutes, unknown in ((45, True), (10, False)):
            state = stocked[self.rng.randrange(len(stocked))]
            self.promised[state.sku.pk] += 1
            self.add_sale(state.shop_code, now - timedelta(minutes=minutes), [(state, 1)], unknown=unknown)
        # A buyer pays twice within the hour to one address (合单), and an order with a sold-out line (拆单).
        buyer = demo_orders.customer(self.rng, self.platform[stocked[0].shop_code])
        pair = []
        for minutes in (95, 70):
            state = stocked[self.rng.randrange(len(stocked))]
            if state.shop_code == stocked[0].shop_code:
                self.promised[state.sku.pk] += 1
                pair.append(self.add_sale(state.shop_code, now - timedelta(minutes=minutes), [(state, 1)], who=buyer))
        splitting = []
        if sold_out:
            partner = next((s for s in stocked if s.shop_code == sold_out[0].shop_code), None)
            if partner is not None:
                self.promised[partner.sku.pk] += 1
                self.promised[sold_out[0].sku.pk] += 1
                splitting.append(
                    self.add_sale(partner.shop_code, now - timedelta(minutes=80), [(partner, 1), (sold_out[0], 1)])
                )
        taken = self.take_in(now, now - timedelta(minutes=2))
        special = {sale.parsed.order_no for sale in (*pair, *splitting)}
        parcel_orders = [order for sale, order in taken if sale.parsed.order_no in special]
        taken = [(s, o) for s, o in taken if s.parsed.order_no not in special]
        taken.sort(key=lambda pair: pair[0].parsed.paid_at)
        waiting = [(s, o) for s, o in taken if s.parsed.paid_at <= now - REVIEW_WAIT]
        for _sale, order in waiting:
            order_services.review(actor=self.people[roles.SERVICE], order=order)
        self.history.mark(now - timedelta(minutes=1))
        oversold = {sold_out[0].sku.pk} if sold_out else set()
        for index, (_sale, order) in enumerate(waiting):
            if index % 2 == 0 or oversold & set(_sale.units):
                order = order_services.allocate(actor=self.people[roles.WAREHOUSE], order=order)
        self.parcels_today(parcel_orders, pair=[s.parsed.order_no for s in pair])
        self.history.mark(now)

    def parcels_today(self, orders: list[Order], *, pair: list[str]) -> None:
        """客服 merges the buyer's two orders and splits the order whose second line is sold out; the warehouse
        allocates the parcel and the lines in stock (the part waits for its stock)."""
        service, warehouse = self.people[roles.SERVICE], self.people[roles.WAREHOUSE]
        merging = [order for order in orders if order.platform_order_no in pair]
        if len(merging) == 2:
            main = parcels.merge_orders(actor=service, orders=merging)
            order_services.allocate(actor=warehouse, order=main)
        for order in orders:
            if order.platform_order_no in pair:
                continue
            order = Order.objects.get(pk=order.pk)
            if order.status == OrderStatus.ON_HOLD:
                order = order_services.release_hold(actor=service, order=order, reason="买家同意先发有货的")
            lines = list(order.lines.order_by("position", "id"))
            if len(lines) > 1:
                parcels.split_order(actor=service, order=order, line_ids=[lines[-1].pk], reason="")
                order_services.allocate(actor=warehouse, order=order)

    # -- the odd jobs ---------------------------------------------------------------------------------

    def adjust(self, day: int) -> None:
        stocked = [key for key, units in self.on_hand.items() if units >= 3]
        warehouses = {w.pk: w for w in self.warehouses.values()}
        skus = {s.sku.pk: s.sku for s in self.skus}
        for sku_id, warehouse_id in self.rng.sample(stocked, k=min(len(stocked), self.rng.randint(1, 2))):
            quantity = self.rng.choice((-1, -1, -2, 1))
            note = self.rng.choice(ADJUST_NOTES_OUT if quantity < 0 else ADJUST_NOTES_IN)
            inventory.adjust_stock(
                actor=self.people[roles.WAREHOUSE],
                sku=skus[sku_id],
                warehouse=warehouses[warehouse_id],
                quantity=quantity,
                note=note,
            )
            self.on_hand[(sku_id, warehouse_id)] += quantity
        self.mark(day, 17)

    def stocktake(self, day: int) -> None:
        """The month-end count of one category in the main warehouse, with a few differences booked."""
        warehouse = self.warehouses["hz-main"]
        categories = [self.products[s.product].category for s in self.skus if s.shop_code == "tmall-flagship"]
        names = [c.name for c in categories]
        category = categories[names.index("毛巾浴巾")] if "毛巾浴巾" in names else categories[0]
        actor = self.people[roles.WAREHOUSE]
        take = stocktakes.create_stocktake(actor=actor, warehouse=warehouse, category=category)
        counts = {}
        lines = list(take.lines.order_by("sku_id").values_list("sku_id", flat=True))
        off = set(self.rng.sample(lines, k=min(3, len(lines))))
        for sku_id in lines:
            units = self.on_hand[(sku_id, warehouse.pk)]
            difference = self.rng.choice((-2, -1, 1)) if sku_id in off and units >= 2 else 0
            counts[sku_id] = units + difference
            self.on_hand[(sku_id, warehouse.pk)] = counts[sku_id]
        stocktakes.enter_counts(actor=actor, stocktake=take, counts=counts)
        stocktakes.book_stocktake(actor=actor, stocktake=take)
        self.history.stocktakes[take.pk] = self.mark(day, 17, 30)

    def transfer(self, day: int) -> None:
        """Move some of the Tmall best sellers to Guangzhou so south China ships faster."""
        source, destination = self.warehouses["hz-main"], self.warehouses["gz-branch"]
        best = sorted(
            (s for s in self.skus if s.shop_code == "tmall-flagship" and s.product in self.selling),
            key=lambda s: -s.plan.daily_demand,
        )
        for state in best[:3]:
            units = self.on_hand[(state.sku.pk, source.pk)] * 3 // 10
            if units < 5:
                continue
            inventory.transfer_stock(
                actor=self.people[roles.WAREHOUSE],
                sku=state.sku,
                source=source,
                destination=destination,
                quantity=units,
                note="华南备货",
            )
            self.on_hand[(state.sku.pk, source.pk)] -= units
            self.on_hand[(state.sku.pk, destination.pk)] += units
            self.transferred.add(state.sku.pk)
        self.mark(day, 17, 45)

    def end_of_season(self, day: int) -> None:
        month = (self.start + timedelta(days=day)).month
        category = "毛毯" if 4 <= month <= 9 else "凉席"
        candidates = [i for i in sorted(self.selling) if self.plans[i].category == category][:2]
        for index in candidates:
            catalog.delist_product(
                actor=self.people[roles.MANAGER],
                product=self.products[index],
                reason=DelistReason.SEASON,
                note="换季下架",
            )
            self.selling.discard(index)
        self.mark(day, 18)

    def squeeze(self, day: int) -> list[_SkuState]:
        """Bulk orders (团购) for the last wave leave some SKUs under safety stock and a few sold out (the alerts
        need them). Returns the SKUs squeezed, so the warehouse can reorder some of them after the wave.
        """
        candidates = [
            s
            for s in self.skus
            if s.product in self.selling
            and s.sku.pk not in self.transferred
            and self.best_free(s) == self.total_on_hand(s)
            and self.free(s) > s.plan.safety_stock + 1
        ]
        chosen = self.rng.sample(candidates, k=min(len(candidates), max(5, len(self.skus) // 30)))
        sold_out = max(2, len(self.skus) // 120)
        for i, state in enumerate(chosen):
            keep = 0 if i < sold_out else self.rng.randint(1, state.plan.safety_stock)
            units = self.free(state) - keep
            if units > 0:
                self.promised[state.sku.pk] += units
                self.add_sale(state.shop_code, self.when(day, 12, self.rng.randrange(60)), [(state, units)])
        return chosen

    def react_to_alerts(self, day: int, squeezed: list[_SkuState]) -> None:
        """The warehouse reorders half of yesterday's low SKUs at once: those orders are still on their way."""
        lines = []
        for state in squeezed[::2]:
            wanted = math.ceil(self.daily(state) * 30) + state.plan.safety_stock
            lines.append((state, max(state.pack, math.ceil(wanted / state.pack) * state.pack)))
        if lines:
            self.order(day, lines, note="预警补货")

    # -- the story --------------------------------------------------------------------------------------

    def run(self, plans: list[ProductPlan]) -> None:
        self.set_up(plans)
        # Day 0: the opening stock arrives and the range goes on sale, but for a few drafts.
        opening = []
        for state in self.skus:
            days_of_stock = self.rng.randint(25, 45)
            wanted = math.ceil(self.need(state, 1, days_of_stock)) + state.plan.safety_stock
            opening.append((state, max(state.pack, math.ceil(wanted / state.pack) * state.pack)))
        self.order(0, opening, note="期初入库", opening=True)
        self.receive(0)
        drafts = {i for i in range(len(plans)) if self.rng.random() < DRAFT_SHARE} or {len(plans) - 1}
        for index, product in enumerate(self.products):
            if index not in drafts:
                catalog.list_product(actor=self.people[roles.OPERATOR], product=product)
                self.selling.add(index)
        self.mark(0, 10)
        for product in self.rng.sample(self.products, k=min(6, len(self.products))):
            catalog.update_product(
                actor=self.people[roles.COPYWRITER],
                product=product,
                description=f"{product.description}{self.rng.choice(COPY_EDITS)}",
            )
        self.mark(1, 9)

        skus = [s.sku.pk for s in self.skus]
        self.neglected = set(self.rng.sample(skus, k=max(3, len(skus) * 7 // 100)))
        # The monthly count happens on the last day of a month (the seeds: 28th–31st), the latest one we have.
        month_ends = [d for d in range(2, self.days - 1) if (self.start + timedelta(days=d + 1)).day == 1]
        stocktake_day = month_ends[-1] if month_ends else self.days // 2
        transfer_days = {max(2, self.days - 45), max(3, self.days - 15)}
        for day in range(1, self.days):
            self.receive(day)
            self.sell(day)
            self.wave(day, "AM")
            squeezed = self.squeeze(day) if day == self.days - 1 else []
            self.wave(day, "PM")
            if squeezed:
                self.react_to_alerts(day, squeezed)
            self.close_short(day)
            self.follow_up(day)
            if day % 7 == REVIEW_WEEKDAY_OFFSET:
                self.review(day)
            if day % 11 == 5:
                self.adjust(day)
            if day == stocktake_day:
                self.stocktake(day)
            if day in transfer_days:
                self.transfer(day)
            if day == self.days - 20:
                self.end_of_season(day)
        # Today: the orders since yesterday's last cut-off wait for the 11:00 wave.
        self.today()

        self.history.rewrite()
        opened = self.when(0, 8)
        Product.objects.filter(shop__in=self.shops.values()).update(created_at=opened)
        Sku.objects.filter(shop__in=self.shops.values()).update(created_at=opened)


def _double_eleven(now: datetime) -> datetime:
    """00:00 Beijing time on 11 November of this year, or of next year once this year's is over."""
    tz = ZoneInfo("Asia/Shanghai")
    start = datetime(now.year, 11, 11, tzinfo=tz)
    return start if now < start + timedelta(days=1) else datetime(now.year + 1, 11, 11, tzinfo=tz)


def create_demo_promotions(*, people: dict[str, Any], shop: Shop) -> list[Any]:
    """A season of promotions through the services: most approved, one deep discount pending, one draft.

    The operator creates and submits them; the manager approves the deep ones, as at a real desk.
    """
    from zhanggui.promotions.offers import services as promotions

    operator, manager = people[roles.OPERATOR], people[roles.MANAGER]
    now = timezone.now().replace(second=0, microsecond=0)
    skus = list(
        Sku.objects.filter(shop=shop, product__listing_status=ListingStatus.LISTED)
        .select_related("product__category")
        .order_by("-price", "code")
    )
    categories = sorted({s.product.category.name for s in skus if s.product.category_id})
    stocked = dict(
        StockBalance.objects.filter(sku__in=skus)
        .values("sku_id")
        .annotate(free=Sum("on_hand") - Sum("reserved"))
        .values_list("sku_id", "free")
    )
    gift = min((s for s in skus if stocked.get(s.pk, 0) >= 5), key=lambda s: (s.price, s.code))
    first, second, third = categories[0], categories[1 % len(categories)], categories[2 % len(categories)]
    season = {"starts_at": (now - timedelta(days=3)).isoformat(), "ends_at": (now + timedelta(days=27)).isoformat()}
    d11 = _double_eleven(now)
    event = {"starts_at": d11.isoformat(), "ends_at": (d11 + timedelta(hours=23, minutes=59)).isoformat()}
    flash_sku = skus[len(skus) // 2]
    # (spec, what happens to it): "approve" = submitted (and approved by the manager if deep), else as named.
    plan: list[tuple[dict[str, Any], str]] = [
        ({"id": "mj300", "kind": "spend_save", "name": "全店满300减30", "tiers": [["300", "30"]], **season}, "approve"),
        (
            {"id": "d85", "kind": "discount", "name": f"{first}8.5折", "rate": "8.5", "scope": {"categories": [first]}}
            | season,
            "approve",
        ),
        (
            {"id": "half2", "kind": "multibuy", "name": f"{second}第二件半价", "nth": 2, "rate": "5"}
            | {"scope": {"categories": [second]}, **season},
            "approve",
        ),
        (
            {"id": "set1", "kind": "bundle", "name": "搭配套餐", "price": str(skus[0].price + skus[-1].price - 20)}
            | {"items": [{"sku": skus[0].code, "quantity": 1}, {"sku": skus[-1].code, "quantity": 1}], **season},
            "approve",
        ),
        (
            {"id": "zp199", "kind": "gift", "name": "满199送赠品", "threshold": "199.00", "gift_sku": gift.code}
            | {"gift_stock": min(stocked[gift.pk], 50), **season},
            "approve",
        ),
        (
            {"id": "vip", "kind": "member_price", "name": "会员价", "rates": {"gold": "9", "silver": "9.5"}, **season},
            "approve",
        ),
        (
            {"id": "q20", "kind": "coupon", "name": "店铺券满199减20", "amount": "20.00", "min_spend": "199.00"}
            | {"codes": ["MIANYU20"], "per_buyer_limit": 1, **season},
            "approve",
        ),
        (
            {"id": "d11-mj", "kind": "spend_save", "name": "双11跨品类满减"}
            | {"tiers": [["300", "40"], ["600", "90"]], "scope": {"categories": [first, second, third]}, **event},
            "approve",
        ),
        (
            {
                "id": "d11-ms",
                "kind": "flash_sale",
                "name": "双11零点秒杀",
                "price": str((flash_sku.price * 8 / 10).quantize(Decimal("0.01"))),
            }
            | {"per_buyer_cap": 1, "stock_cap": 30, "scope": {"skus": [flash_sku.code]}, "exclusive": True}
            | {"starts_at": d11.isoformat(), "ends_at": (d11 + timedelta(hours=1)).isoformat()},
            "approve",
        ),
        (
            {
                "id": "clear6",
                "kind": "discount",
                "name": f"{third}清仓6折",
                "rate": "6",
                "scope": {"categories": [third]},
            }
            | season,
            "submit",
        ),
        (
            {"id": "d12-mj", "kind": "spend_save", "name": "双12满200减20", "tiers": [["200", "20"]]}
            | {"starts_at": (d11 + timedelta(days=31)).isoformat(), "ends_at": (d11 + timedelta(days=32)).isoformat()},
            "draft",
        ),
    ]
    created = []
    for raw, step in plan:
        promotion = promotions.create_promotion(actor=operator, shop=shop, raw_spec=raw)
        if step != "draft":
            promotion = promotions.submit_promotion(actor=operator, promotion=promotion)
        if step == "approve" and promotion.state != "approved":
            promotion = promotions.approve_promotion(actor=manager, promotion=promotion)
        created.append(promotion)
    return created


def summarize(seed: int = DEFAULT_SEED) -> DemoSummary:
    shops = Shop.objects.filter(code__in=DEMO_SHOP_CODES)
    skus = Sku.objects.filter(shop__in=shops)
    since = timezone.now() - timedelta(days=30)
    available = dict(
        StockBalance.objects.filter(sku__in=skus)
        .values("sku_id")
        .annotate(free=Sum("on_hand") - Sum("reserved"))
        .values_list("sku_id", "free")
    )
    first_move = StockMove.objects.order_by("created_at").values_list("created_at", flat=True).first()
    statuses: dict[str, int] = defaultdict(int)
    for status in PurchaseOrder.objects.values_list("status", flat=True):
        statuses[status] += 1
    return DemoSummary(
        seed=seed,
        shops=shops.count(),
        products=Product.objects.filter(shop__in=shops).count(),
        listed_products=Product.objects.filter(shop__in=shops, listing_status=ListingStatus.LISTED).count(),
        skus=skus.count(),
        warehouses=Warehouse.objects.filter(sellable=True).count(),
        suppliers=Supplier.objects.count(),
        purchase_orders=dict(sorted(statuses.items())),
        stock_moves=StockMove.objects.count(),
        sale_issues_30d=StockMove.objects.filter(reason=MoveReason.SALE_ISSUE, created_at__gte=since).count(),
        skus_low=len(safety_stock_alerts()),
        skus_out=sum(1 for pk in skus.values_list("pk", flat=True) if available.get(pk, 0) <= 0),
        history_days=(timezone.localdate() - timezone.localtime(first_move).date()).days if first_move else 0,
    )


def generate_demo(
    *,
    seed: int = DEFAULT_SEED,
    size: DemoSize = FULL,
    password: str = DEFAULT_PASSWORD,
    today: date | None = None,
) -> DemoSummary:
    """Create the demo shop in an empty database (raise DemoRefused when it is already there)."""
    plans = plan_catalog(seed, size)
    with transaction.atomic():
        if demo_exists():
            raise DemoRefused(_("The demo shop is already in this database."))
        roles.ensure_roles()
        people = ensure_demo_users(password)
        _Story(seed=seed, size=size, today=today or timezone.localdate(), people=people).run(plans)
        create_demo_promotions(people=people, shop=Shop.objects.get(code=SHOPS[0][0]))
        create_demo_campaigns(people=people, shops=Shop.objects.filter(code__in=DEMO_SHOP_CODES))
        create_demo_cases(
            people=people,
            extra_service=[people["service2"]],
            shops=Shop.objects.filter(code__in=DEMO_SHOP_CODES),
            seed=seed,
            now=timezone.now(),
        )
        create_demo_analytics(
            people=people,
            shops=Shop.objects.filter(code__in=DEMO_SHOP_CODES),
            seed=seed,
            today=today or timezone.localdate(),
            days=size.history_days,
        )
        create_demo_plans(
            people=people,
            shops=Shop.objects.filter(code__in=DEMO_SHOP_CODES),
            today=today or timezone.localdate(),
            days=size.history_days,
        )
        create_demo_market(  # the market's month: keywords, ranks, competitors, the board (demo/market.py)
            people=people,
            shops=Shop.objects.filter(code__in=DEMO_SHOP_CODES),
            seed=seed,
            today=today or timezone.localdate(),
        )
        create_demo_members(  # a year of buyers: members, earlier purchases, tiers, the model (demo/members.py)
            people=people,
            shops=Shop.objects.filter(code__in=DEMO_SHOP_CODES),
            seed=seed,
            today=today or timezone.localdate(),
        )
        products = Product.objects.filter(shop__code__in=DEMO_SHOP_CODES).order_by("shop__code", "code")
        add_demo_pictures(designer=people[roles.DESIGNER], products=products[:PICTURED], seed=seed)
    return summarize(seed)
