"""The demo shop's range, planned without touching the database.

A home-textiles brand (棉语家纺) with a Tmall flagship and a JD store. Planning is a pure function of the seed
and the size, so the same seed always gives the same titles, codes and prices (the tests compare two plans),
and the generator only has to write the plan through the services.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from zhanggui.catalog.models import Channel, ProductRole
from zhanggui.catalog.titles import check_title
from zhanggui.core.money import to_fen

BRAND = "棉语"

# 广告法 absolute terms, banned on every channel; the generator stores them through catalog.services.
BANNED_WORDS = [
    "最",
    "第一",
    "唯一",
    "首个",
    "首选",
    "国家级",
    "世界级",
    "极品",
    "顶级",
    "顶尖",
    "绝对",
    "万能",
    "永久",
    "特效",
    "100%",
    "全网销量冠军",
]
# Naming another platform in a title breaks that platform's rules.
CHANNEL_BANNED_WORDS = {
    Channel.TMALL: ["京东", "拼多多"],
    Channel.JD: ["天猫", "淘宝", "拼多多"],
}


@dataclass(frozen=True)
class DemoSize:
    """How big the generated shop is; FULL meets the issue's numbers, SMALL keeps unit tests fast."""

    tmall_products: int
    jd_products: int
    history_days: int
    orders_per_day: int  # on an ordinary weekday; weekends and the big sale sell more (demo.orders)


# 250 orders an ordinary weekday (~25,000 over the 90 days, ~270 a day with the weekends, ~1,000 on the big sale
# day; issue #9 asks about 300 a day). The last two weeks' orders go through the same services as at a desk
# (import, allocate, wave, ship); the older ones came in the platform's export already shipped and the import
# booked their sales in bulk (generator._Story.platform_wave). About two minutes to generate on SQLite.
FULL = DemoSize(tmall_products=100, jd_products=60, history_days=90, orders_per_day=250)
SMALL = DemoSize(tmall_products=10, jd_products=6, history_days=35, orders_per_day=6)
SIZES = {"full": FULL, "small": SMALL}


@dataclass(frozen=True)
class Kind:
    """One line of the range: its category, title vocabulary, variants, base price and supplier."""

    key: str
    category: str
    weight: int  # how many products of this kind, relatively
    nouns: tuple[str, ...]
    materials: tuple[str, ...]
    premium: tuple[str, ...]  # materials of the image (形象款) products
    points: tuple[str, ...]  # selling points and search words for titles
    first_label: str
    options: tuple[tuple[str, str], ...]  # (name, code) of the first spec: usually the colour
    second_label: str
    sizes: tuple[tuple[str, str, int], ...]  # (name, code, price factor in %)
    base_price: int  # yuan, a profit product in its first size
    weight_g: int
    supplier: str


KINDS: tuple[Kind, ...] = (
    Kind(
        "SJT",
        "床品四件套",
        20,
        ("四件套", "床上四件套", "床单被套四件套"),
        ("新疆长绒棉", "60支全棉贡缎", "水洗棉", "纯棉磨毛", "天丝", "A类纯棉"),
        ("22姆米桑蚕丝", "120支长绒棉", "埃及长绒棉"),
        ("亲肤透气", "不起球", "不易褪色", "裸睡级", "简约北欧风", "ins风", "学生宿舍", "婚庆", "四季通用"),
        "颜色",
        (("雾霾蓝", "BL"), ("燕麦色", "OT"), ("奶白", "WH"), ("浅灰", "GY"), ("樱花粉", "PK"), ("焦糖", "BR")),
        "尺寸",
        (("1.5m床(被套200x230)", "150", 100), ("1.8m床(被套220x240)", "180", 115), ("2.0m床", "200", 130)),
        299,
        2300,
        "nantong-jinhua",
    ),
    Kind(
        "BX",
        "被子被芯",
        10,
        ("被子", "被芯", "棉被"),
        ("新疆棉花", "大豆纤维", "七孔纤维", "纯棉面料"),
        ("95白鹅绒", "桑蚕丝"),
        ("春秋被", "加厚冬被", "空调被", "单双人", "宿舍", "保暖", "轻盈透气", "可水洗"),
        "规格",
        (("春秋被4斤", "CQ"), ("冬被6斤", "DB"), ("加厚冬被8斤", "HD")),
        "尺寸",
        (("150x200cm", "150", 80), ("200x230cm", "200", 100), ("220x240cm", "220", 115)),
        259,
        3000,
        "nantong-jinhua",
    ),
    Kind(
        "ZT",
        "枕头",
        10,
        ("枕头", "枕芯", "护颈枕"),
        ("乳胶", "羽丝绒", "荞麦壳", "记忆棉", "决明子"),
        ("泰国天然乳胶",),
        ("护颈椎", "助睡眠", "成人", "单人", "家用", "可水洗", "学生宿舍", "不塌陷"),
        "高度",
        (("低枕", "L"), ("中枕", "M"), ("高枕", "H")),
        "数量",
        (("单只装", "1", 100), ("一对装", "2", 185)),
        89,
        1000,
        "shaoxing-keqiao",
    ),
    Kind(
        "MJ",
        "毛巾浴巾",
        10,
        ("毛巾", "洗脸毛巾", "面巾"),
        ("纯棉", "长绒棉", "竹纤维", "A类纯棉"),
        ("新疆长绒棉",),
        ("吸水", "不掉毛", "柔软", "家用", "成人", "儿童", "加厚", "抗菌"),
        "颜色",
        (("米白", "WH"), ("浅灰", "GY"), ("湖蓝", "BL"), ("豆沙粉", "PK"), ("咖啡", "BR")),
        "规格",
        (("34x76cm", "3476", 100), ("34x76cm两条装", "2P", 180)),
        29,
        150,
        "gaoyang-hengrun",
    ),
    Kind(
        "YJ",
        "毛巾浴巾",
        6,
        ("浴巾", "大浴巾", "浴巾套装"),
        ("纯棉", "长绒棉", "竹纤维"),
        ("新疆长绒棉",),
        ("吸水", "不掉毛", "加大加厚", "家用", "成人", "速干", "柔软"),
        "颜色",
        (("米白", "WH"), ("浅灰", "GY"), ("湖蓝", "BL"), ("豆沙粉", "PK")),
        "规格",
        (("70x140cm", "70", 100), ("80x160cm", "80", 130)),
        69,
        500,
        "gaoyang-hengrun",
    ),
    Kind(
        "JJF",
        "家居服睡衣",
        14,
        ("睡衣", "家居服套装", "睡衣套装"),
        ("纯棉", "莫代尔", "珊瑚绒", "冰丝"),
        ("真丝", "19姆米桑蚕丝"),
        ("女士", "男士", "长袖", "短袖", "春秋款", "夏季薄款", "可外穿", "宽松"),
        "颜色",
        (("藏青", "NV"), ("浅粉", "PK"), ("灰色", "GY"), ("米杏", "BE"), ("雾蓝", "BL")),
        "尺码",
        (("M", "M", 100), ("L", "L", 100), ("XL", "XL", 100), ("XXL", "XXL", 105)),
        129,
        400,
        "foshan-yaju",
    ),
    Kind(
        "LX",
        "凉席",
        6,
        ("凉席", "凉席三件套", "空调软席"),
        ("冰丝", "碳化竹", "亚草"),
        ("天然藤",),
        ("夏季", "可水洗", "可折叠", "防滑", "学生宿舍", "双人"),
        "颜色",
        (("浅灰", "GY"), ("水墨蓝", "BL"), ("米黄", "YL")),
        "尺寸",
        (("1.5m床", "150", 100), ("1.8m床", "180", 115), ("0.9m单人", "90", 60)),
        159,
        1800,
        "shaoxing-keqiao",
    ),
    Kind(
        "MT",
        "毛毯",
        8,
        ("毛毯", "盖毯", "午睡毯"),
        ("法兰绒", "珊瑚绒", "羊羔绒", "牛奶绒"),
        ("澳洲羊毛",),
        ("加厚", "午睡", "办公室", "沙发", "冬季", "保暖", "双层"),
        "颜色",
        (("驼色", "CA"), ("灰蓝", "BL"), ("酒红", "RD"), ("奶白", "WH")),
        "尺寸",
        (("100x150cm", "100", 70), ("150x200cm", "150", 100), ("180x220cm", "180", 125)),
        119,
        1200,
        "shaoxing-keqiao",
    ),
    Kind(
        "CL",
        "床笠床单",
        10,
        ("床笠", "床罩", "床单"),
        ("纯棉", "磨毛", "水洗棉", "天丝"),
        ("120支长绒棉",),
        ("全包", "防尘", "席梦思保护套", "单件", "防滑", "加高"),
        "颜色",
        (("浅灰", "GY"), ("白色", "WH"), ("卡其", "KH"), ("墨绿", "GN"), ("藕粉", "PK")),
        "尺寸",
        (("120x200cm", "120", 80), ("150x200cm", "150", 100), ("180x200cm", "180", 115)),
        79,
        700,
        "nantong-jinhua",
    ),
    Kind(
        "BZ",
        "抱枕靠垫",
        6,
        ("抱枕", "靠垫", "抱枕套"),
        ("棉麻", "天鹅绒", "灯芯绒"),
        ("真丝",),
        ("客厅", "沙发", "北欧", "ins风", "办公室", "腰枕", "含芯"),
        "颜色",
        (("姜黄", "YL"), ("墨绿", "GN"), ("雾蓝", "BL"), ("燕麦", "OT"), ("砖红", "RD")),
        "尺寸",
        (("45x45cm", "45", 100), ("50x50cm", "50", 115), ("30x50cm腰枕", "3050", 90)),
        49,
        600,
        "foshan-yaju",
    ),
)

SERIES = (
    "云朵",
    "晨雾",
    "森屿",
    "初雪",
    "暖阳",
    "栖野",
    "月白",
    "花间",
    "素简",
    "星河",
    "木棉",
    "青禾",
    "拾光",
    "半夏",
    "南风",
    "知秋",
    "山茶",
    "浅溪",
    "鹿角",
    "橘子",
    "松烟",
    "晚霞",
    "白露",
    "小满",
)

# The range by role (from the seed plans): many profit products, a traffic and a campaign layer, few image ones.
ROLE_WEIGHTS = (
    (ProductRole.TRAFFIC, 20),
    (ProductRole.PROFIT, 45),
    (ProductRole.CAMPAIGN, 25),
    (ProductRole.IMAGE, 10),
)
ROLE_PRICE_PERCENT = {
    ProductRole.TRAFFIC: 60,
    ProductRole.PROFIT: 100,
    ProductRole.CAMPAIGN: 85,
    ProductRole.IMAGE: 280,
}
# Units sold per SKU and day: traffic products sell most, image products least.
ROLE_DAILY_DEMAND = {
    ProductRole.TRAFFIC: 1.2,
    ProductRole.PROFIT: 0.35,
    ProductRole.CAMPAIGN: 0.7,
    ProductRole.IMAGE: 0.08,
}
COLOUR_POPULARITY = (1.4, 1.0, 0.8, 0.6)
SAFETY_DAYS = 7


@dataclass(frozen=True)
class SkuPlan:
    code: str
    barcode: str
    spec: str
    price: Decimal
    cost: Decimal
    weight_g: int
    safety_stock: int
    daily_demand: float  # a simulation figure, not money


@dataclass(frozen=True)
class ProductPlan:
    shop_code: str
    channel: str
    code: str
    title: str
    category: str
    role: str
    description: str
    supplier: str
    skus: tuple[SkuPlan, ...]


def ean13(body12: str) -> str:
    """Append the EAN-13 check digit (the barcode printed on a Chinese retail label starts with 69)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _price(rng: random.Random, yuan: float) -> Decimal:
    """A shelf price as shops write them: 299.00, 89.90, 128.00."""
    base = max(9, round(yuan / 10) * 10)
    ending = rng.choice(("-1", "-1", "-0.10", "-2"))
    return to_fen(Decimal(base) + Decimal(ending))


def _title(rng: random.Random, *, channel: str, head: str, words: list[str], used: set[str]) -> str | None:
    """Greedy: the head (brand, series, material, noun), then selling points while they fit the channel."""
    banned = BANNED_WORDS + CHANNEL_BANNED_WORDS.get(channel, [])
    title = head
    pool = words[:]
    rng.shuffle(pool)
    for word in pool:
        candidate = f"{title} {word}" if rng.random() < 0.3 else f"{title}{word}"
        if not check_title(candidate, channel, banned):
            title = candidate
    if check_title(title, channel, banned) or title in used:
        return None
    return title


def plan_catalog(seed: int, size: DemoSize = FULL) -> list[ProductPlan]:
    """Every product and SKU of the demo shop, from `random.Random(seed)` alone (no database, no clock)."""
    rng = random.Random(seed)
    plans: list[ProductPlan] = []
    numbers: dict[str, int] = {}
    barcode_seq = 0
    shops = (
        ("tmall-flagship", Channel.TMALL, size.tmall_products, 1.0),
        ("jd-store", Channel.JD, size.jd_products, 0.75),
    )
    for shop_code, channel, count, shop_demand in shops:
        used: set[str] = set()
        for _ in range(count):
            kind = _weighted(rng, [(k, k.weight) for k in KINDS])
            role = _weighted(rng, ROLE_WEIGHTS)
            numbers[kind.key] = numbers.get(kind.key, 0) + 1
            code = f"MY{kind.key}{numbers[kind.key]:03d}"
            title = None
            while title is None:
                series = rng.choice(SERIES)
                material = rng.choice(kind.premium if role == ProductRole.IMAGE else kind.materials)
                noun = rng.choice(kind.nouns)
                head = f"{BRAND}{series}{material}{noun}"
                extra = (
                    []
                    if channel == Channel.TMALL
                    else ["家纺", "正品", "床上用品" if kind.key in {"SJT", "CL"} else "家用"]
                )
                title = _title(
                    rng, channel=channel, head=head, words=list(dict.fromkeys([*kind.points, *extra])), used=used
                )
            used.add(title)
            colours = rng.sample(kind.options, k=min(len(kind.options), rng.choice((1, 2, 2, 3))))
            sizes = rng.sample(kind.sizes, k=min(len(kind.sizes), rng.choice((1, 2, 2))))
            price_level = kind.base_price * ROLE_PRICE_PERCENT[role] / 100 * rng.uniform(0.85, 1.25)
            cost_percent = rng.randint(32, 55)
            demand_level = ROLE_DAILY_DEMAND[role] * shop_demand * rng.uniform(0.6, 1.4)
            prices = {code: _price(rng, price_level * percent / 100) for _name, code, percent in sizes}
            skus = []
            for c_index, (colour, colour_code) in enumerate(colours):
                for size_name, size_code, size_percent in sizes:
                    barcode_seq += 1
                    price = prices[size_code]
                    cost = to_fen(price * cost_percent / 100)
                    demand = round(demand_level * COLOUR_POPULARITY[c_index] * (1.2 if size_percent == 100 else 0.8), 3)
                    skus.append(
                        SkuPlan(
                            code=f"{code}-{colour_code}-{size_code}",
                            barcode=ean13(f"692345{barcode_seq:06d}"),
                            spec=f"{kind.first_label}:{colour};{kind.second_label}:{size_name}",
                            price=price,
                            cost=cost,
                            weight_g=kind.weight_g * size_percent // 100,
                            safety_stock=max(3, math.ceil(demand * SAFETY_DAYS)),
                            daily_demand=demand,
                        )
                    )
            plans.append(
                ProductPlan(
                    shop_code=shop_code,
                    channel=channel,
                    code=code,
                    title=title,
                    category=kind.category,
                    role=role,
                    description=f"{BRAND}家纺·{series}系列 {material}{noun}。{'，'.join(kind.points[:3])}。",
                    supplier="huzhou-silk" if "丝" in material and role == ProductRole.IMAGE else kind.supplier,
                    skus=tuple(skus),
                )
            )
    return plans
