"""The demo's market (docs/market.md, "Demo"): written straight into the tables with bulk_create (the demo must
stay fast and needs no network), as if a month of exports had been imported.

- the keyword library: the last 30 days of 15 home-textile search terms for each shop (生意参谋 / 京东商智);
- two competitor shops, two items each, with a snapshot a day; yesterday one item's price is cut (199 → 169),
  another starts a promotion, a third shows a new main image (the morning desk's 竞品动态 has all three);
- rank tracking: three keywords a shop on mobile, two of our items and one item of each competitor a day;
  yesterday our first item falls off the first page for the first keyword and our second drops 15 places for
  the second, so the ranks page and the desk show alerts;
- the category board: 床上用品's top 20 of each Taobao/Tmall shop over 30 days, one of our items among them.
- reviews: a month of reviews of our two items a shop (weekly snapshots), a few bad ones about 起球, 色差, 发货慢 and
  尺码偏小, one removed between the last two snapshots (删评), a few 问大家, and the complaint themes found once.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from zhanggui.catalog.models import Channel, ListingStatus, Product, Shop
from zhanggui.core import roles
from zhanggui.core.services import system_user
from zhanggui.desk.services import tasks_from_bad_reviews
from zhanggui.market import themes
from zhanggui.market.models import (
    BoardRow,
    CompetitorItem,
    CompetitorShop,
    Device,
    ItemSnapshot,
    Keyword,
    KeywordDay,
    RankObservation,
)

DAYS = 30
#: (keyword, search popularity on an ordinary day, category)
KEYWORDS = (
    ("四件套", 52_000, "床上用品"),
    ("纯棉四件套", 18_000, "床上用品"),
    ("全棉四件套 简约", 6_500, "床上用品"),
    ("夏凉被", 31_000, "床上用品"),
    ("空调被 水洗棉", 7_200, "床上用品"),
    ("枕头", 44_000, "床上用品"),
    ("乳胶枕", 16_000, "床上用品"),
    ("记忆棉枕头 护颈", 5_800, "床上用品"),
    ("床笠", 12_000, "床上用品"),
    ("床单", 27_000, "床上用品"),
    ("被套", 22_000, "床上用品"),
    ("蚕丝被", 9_500, "床上用品"),
    ("毛巾被", 8_800, "床上用品"),
    ("纯棉毛巾", 14_000, "居家日用"),
    ("浴巾 吸水", 6_100, "居家日用"),
)
TRACKED = ("四件套", "纯棉四件套", "枕头")
COMPETITORS = (
    (
        "云眠家纺旗舰店",
        Channel.TMALL,
        (("7001", "云眠 纯棉四件套 全棉床单被套", "199.00"), ("7002", "云眠 乳胶枕头", "129.00")),
    ),
    (
        "暖居家居京东自营",
        Channel.JD,
        (("8001", "暖居 夏凉被 水洗棉空调被", "159.00"), ("8002", "暖居 纯棉毛巾 4条装", "49.90")),
    ),
)
BOARD_CATEGORY = "床上用品"
BOARD_TOP = 20
BOARD_POOL = (
    "纯棉四件套", "水洗棉夏凉被", "乳胶枕头一对", "记忆棉护颈枕", "全棉床笠", "蚕丝被子母被", "羽绒被冬被",
    "磨毛四件套", "天丝四件套", "儿童床品三件套", "荞麦枕", "凉席三件套", "冰丝凉席", "毛巾被", "床垫保护罩",
    "纯棉被套单件", "全棉床单单件", "大豆纤维被", "羊毛被", "长绒棉四件套", "抱枕", "床裙", "枕套一对", "沙发毯",
)  # fmt: skip


def _item_id(product: Product) -> str:
    """Our item's platform ID as the demo's traffic reports write it (demo.analytics)."""
    return f"{600000000000 + product.pk}"


def create_demo_market(*, people: dict[str, Any], shops: QuerySet[Shop], seed: int, today: date) -> None:
    rng = random.Random(seed * 104_729 + 14)
    first = today - timedelta(days=DAYS)
    days = [first + timedelta(days=n) for n in range(DAYS)]  # up to yesterday
    Keyword.objects.bulk_create([Keyword(text=k) for k, _p, _c in KEYWORDS], ignore_conflicts=True)
    keyword_ids = dict(Keyword.objects.filter(text__in=[k for k, _p, _c in KEYWORDS]).values_list("text", "pk"))
    competitor_items = _competitors(rng, days)
    keyword_days: list[KeywordDay] = []
    observations: list[RankObservation] = []
    board: list[BoardRow] = []
    for shop in shops.order_by("code"):
        jd = shop.channel == Channel.JD
        keyword_days += _keyword_days(rng, shop, days, keyword_ids, jd)
        ours = list(Product.objects.filter(shop=shop, listing_status=ListingStatus.LISTED).order_by("code")[:2])
        if len(ours) == 2:
            theirs = [items[0] for items in competitor_items]
            observations += _observations(rng, shop, days, keyword_ids, ours, theirs)
        if not jd and ours:
            board += _board(rng, shop, days, ours[0])
    KeywordDay.objects.bulk_create(keyword_days)
    RankObservation.objects.bulk_create(observations)
    BoardRow.objects.bulk_create(board)
    for shop in shops.order_by("code"):
        ours = list(Product.objects.filter(shop=shop, listing_status=ListingStatus.LISTED).order_by("code")[:2])
        if ours:
            _reviews(rng, shop, days, ours)
            themes.run(actor=people.get(roles.MANAGER) or system_user(), shop=shop, k=4)
    # The bad reviews become 客服 tasks as after an import (the desk's hook).
    tasks_from_bad_reviews(people.get(roles.MANAGER) or system_user())


def _keyword_days(rng: random.Random, shop: Shop, days: list[date], ids: dict[str, int], jd: bool) -> list[KeywordDay]:
    rows = []
    for text, popularity, category in KEYWORDS:
        click = Decimal(rng.randint(300, 900)) / 10_000  # 3 % to 9 %
        conversion = Decimal(rng.randint(80, 450)) / 10_000  # 0.8 % to 4.5 %
        listings = rng.randint(2_000, 400_000)
        for day in days:
            wave = Decimal(rng.randint(85, 115)) / 100
            rows.append(
                KeywordDay(
                    shop=shop,
                    keyword_id=ids[text],
                    day=day,
                    search_popularity=int(popularity * wave),
                    click_rate=click,
                    conversion=conversion,
                    competing_listings=listings,
                    category=category,
                    report="jd_keywords" if jd else "sycm_keywords",
                    source_file="demo",
                )
            )
    return rows


def _competitors(rng: random.Random, days: list[date]) -> list[list[CompetitorItem]]:
    """The two shops and their items, with a snapshot a day; yesterday: a price cut, a new promotion, a new main
    image."""
    made: list[list[CompetitorItem]] = []
    snapshots: list[ItemSnapshot] = []
    last = days[-1]
    for n, (name, platform, items) in enumerate(COMPETITORS):
        shop = CompetitorShop.objects.create(name=name, platform=platform, note="demo")
        rows = CompetitorItem.objects.bulk_create(
            [CompetitorItem(competitor=shop, item_id=item_id, title=title) for item_id, title, _price in items]
        )
        made.append(rows)
        for m, (item, (_id, _title, price)) in enumerate(zip(rows, items, strict=True)):
            sales = rng.randint(800, 5_000)
            reviews = rng.randint(2_000, 30_000)
            for day in days:
                which = n * 2 + m  # 0: the price cut, 1: the promotion, 2: the new main image, 3: quiet
                cut = which == 0 and day == last
                sales += rng.randint(-20, 40)
                reviews += rng.randint(5, 40)
                snapshots.append(
                    ItemSnapshot(
                        item=item,
                        day=day,
                        price=Decimal("169.00") if cut else Decimal(price),
                        promotion="满199减30" if which == 1 and day == last else "",
                        monthly_sales=sales,
                        review_count=reviews,
                        main_image_hash=_image(item.item_id, 2 if which == 2 and day == last else 1),
                        source_file="demo",
                    )
                )
    ItemSnapshot.objects.bulk_create(snapshots)
    return made


def _image(item_id: str, version: int) -> str:
    return hashlib.sha256(f"https://img.example/{item_id}/main-{version}.jpg".encode()).hexdigest()


def _observations(
    rng: random.Random,
    shop: Shop,
    days: list[date],
    ids: dict[str, int],
    ours: list[Product],
    theirs: list[CompetitorItem],
) -> list[RankObservation]:
    rows = []
    for k, keyword in enumerate(TRACKED):
        start = {0: rng.randint(8, 14), 1: rng.randint(25, 32), 2: rng.randint(3, 6), 3: rng.randint(5, 10)}
        for s, (product, competitor) in enumerate([(ours[0], None), (ours[1], None), *((None, t) for t in theirs)]):
            position = start[s]
            for day in days:
                # A wander of a place a day, kept within 3 of where it started.
                position = min(max(position + rng.randint(-1, 1), start[s] - 3, 1), start[s] + 3)
                if day == days[-1] and product is not None:
                    # Yesterday's story: our first item off the first page for the first keyword, our second
                    # down 15 places for the second.
                    if k == 0 and s == 0:
                        position = 26
                    elif k == 1 and s == 1:
                        position += 15
                rows.append(
                    RankObservation(
                        shop=shop,
                        keyword_id=ids[keyword],
                        item_id=_item_id(product) if product is not None else competitor.item_id,  # type: ignore[union-attr]
                        product=product,
                        competitor_item=competitor,
                        device=Device.MOBILE,
                        day=day,
                        position=position,
                        source="demo",
                    )
                )
    return rows


def _board(rng: random.Random, shop: Shop, days: list[date], ours: Product) -> list[BoardRow]:
    """A pool of items whose scores wander; each day's top 20 by score; ours sits around 15th."""
    pool = [(f"9{n:04d}", title, f"店铺{n % 9 + 1}") for n, title in enumerate(BOARD_POOL)]
    pool.append((_item_id(ours), ours.title, shop.name))
    score = {item_id: 10_000 - n * 300 + rng.randint(-200, 200) for n, (item_id, _t, _s) in enumerate(pool)}
    score[_item_id(ours)] = 10_000 - 14 * 300
    rows = []
    for day in days:
        for item_id in score:
            score[item_id] += rng.randint(-250, 250)
        ranked = sorted(pool, key=lambda p: -score[p[0]])[:BOARD_TOP]
        for rank, (item_id, title, shop_name) in enumerate(ranked, start=1):
            rows.append(
                BoardRow(
                    shop=shop,
                    category=BOARD_CATEGORY,
                    day=day,
                    rank=rank,
                    item_id=item_id,
                    title=title,
                    shop_name=shop_name,
                    price=Decimal(rng.randint(59, 399)) + Decimal("0.90"),
                    trade_index=max(score[item_id], 1),
                    traffic_index=max(score[item_id] * 3 // 2, 1),
                    source_file="demo",
                )
            )
    return rows


GOOD_REVIEWS = ["质量很好，做工精细", "面料舒服，很满意", "颜色正，和图片一样", "包装好，发货快", "回购了，推荐"]
BAD_REVIEWS = [
    "洗了一次就起球了",
    "起球严重，面料太差",
    "色差很大，实物颜色偏暗",
    "颜色和图片不一样，有色差",
    "发货太慢了，等了一周",
    "下单五天才发货",
    "尺码偏小，床笠套不进去",
    "尺寸偏小，被套小了一圈",
]
QUESTIONS = [
    ("会起球吗？", "用了半年没起球|洗多了有一点"),
    ("颜色和图片一样吗？", "有一点点色差"),
    ("多久发货？", "两天"),
]


def _reviews(rng: random.Random, shop: Shop, days: list[date], ours: list[Product]) -> None:
    """A month of reviews (weekly snapshots, the last one yesterday); the bad ones in the last two weeks, so they
    are fresh enough to be 客服 tasks; one bad review removed in the last snapshot (删评)."""
    from django.utils import timezone

    from zhanggui.market.models import Grade, Question, Review, ReviewSnapshot

    snapshots = [days[-1] - timedelta(days=7 * n) for n in range(4, -1, -1)]
    now = timezone.now()
    rows: list[Review] = []
    bad = list(BAD_REVIEWS)
    for product in ours:
        item_id = _item_id(product)
        for n, day in enumerate(days):
            for m in range(rng.choice((0, 1, 1, 2))):
                is_bad = day >= days[-14] and bad and rng.random() < 0.35
                text = bad.pop(0) if is_bad else rng.choice(GOOD_REVIEWS)
                seen = next(s for s in snapshots if s >= day)
                rows.append(
                    Review(
                        shop=shop, item_id=item_id, review_id=f"D{product.pk}-{n}-{m}", product=product, day=day,
                        rating=1 if is_bad else rng.choice((4, 5, 5)), grade=Grade.BAD if is_bad else Grade.GOOD,
                        text=text, buyer=f"t***{rng.randint(0, 9)}", first_seen=seen, last_seen=snapshots[-1],
                        imported_at=now, source_file="demo",
                    )
                )  # fmt: skip
        Question.objects.bulk_create(
            [
                Question(shop=shop, item_id=item_id, product=product, day=days[-3], question=q, answers="\n".join(a))
                for q, a in ((q, a.split("|")) for q, a in QUESTIONS)
            ]
        )
        held = {s: sum(1 for r in rows if r.item_id == item_id and r.first_seen <= s) for s in snapshots}
        ReviewSnapshot.objects.bulk_create(
            [ReviewSnapshot(shop=shop, item_id=item_id, day=s, reviews=held[s]) for s in held]
        )
    removable = [r for r in rows if r.grade == Grade.BAD and r.first_seen < snapshots[-1]]
    if removable:
        gone = removable[0]
        gone.last_seen, gone.removed_on = snapshots[-2], snapshots[-1]
    Review.objects.bulk_create(rows)
