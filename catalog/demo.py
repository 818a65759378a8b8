"""Demo catalog for ``seed_demo``: a category tree and up to N products (idempotent).

Every product is named and described with its own sub-category's words ("Cast Iron Frying Pan,
Large" under Kitchen › Cookware, never "Artisan Desk Chair Dark Roast"), was added to the
catalog some time in the past year, and has its opening stock in the stock ledger (a ``restock``
row dated when it was added), so the ledger sums to the stock. Bulk inserts in batches:
100,000 products load in about 100 s on PostgreSQL on a busy 2-core machine (docs/benchmarks.md,
"Seeding").
"""

from __future__ import annotations

import io
import random
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from catalog.models import StockMovement, StockMovementReason
from ecommerce.common.demo import timestamps_as_given

from .attributes import attribute_create, attribute_index_sync
from .cache import catalog_changed
from .models import Attribute, Category, Product, ProductVariant
from .services import product_image_add
from .stock import stock_import

BATCH_SIZE = 2_000
_SLUG_ALPHABET = string.ascii_lowercase + string.digits
OPENING_STOCK_NOTE = "opening stock"


@dataclass(frozen=True)
class Leaf:
    """A sub-category's vocabulary: a product is ``"{kind} {noun}, {variant}"``, priced in
    ``prices`` (whole units), described with some of ``blurbs``."""

    nouns: tuple[str, ...]
    kinds: tuple[str, ...]
    variants: tuple[str, ...]
    prices: tuple[int, int]
    blurbs: tuple[str, ...]


# department → sub-category → what its products are called and cost, and what is said of them
TREE: dict[str, dict[str, Leaf]] = {
    "Grocery": {
        "Coffee": Leaf(
            nouns=("Whole Bean Coffee", "Espresso Blend", "Ground Coffee", "Cold Brew Coffee", "Coffee Pods"),
            kinds=("Ethiopian Yirgacheffe", "Colombian Huila", "Brazilian Santos", "Guatemala Antigua",
                   "Sumatra Mandheling", "House", "Swiss Water Decaf", "Kenya AA"),
            variants=("250 g", "500 g", "1 kg", "Light Roast", "Medium Roast", "Dark Roast"),
            prices=(6, 40),
            blurbs=("Roasted in small batches and packed within 48 hours of roasting.",
                    "Notes of cocoa, red berries and caramel.",
                    "Sourced directly from a cooperative of smallholder farms.",
                    "Resealable bag with a one-way degassing valve.",
                    "Works in a filter machine, a French press or a moka pot."),
        ),
        "Tea": Leaf(
            nouns=("Green Tea", "Black Tea", "Herbal Infusion", "Matcha Powder", "Chai Blend"),
            kinds=('Organic', 'Single-Estate', 'Fair-Trade', 'Premium', 'Everyday', 'Wild-Harvested'),
            variants=('100 g', '250 g', 'Tin', 'Refill Pack'),
            prices=(4, 30),
            blurbs=("Steep for three to four minutes in water just off the boil.",
                    "Picked in the spring harvest for a fresh, bright cup.",
                    "Plastic-free, compostable bags.",
                    "No added flavourings: only the leaves and what grows with them.",
                    "Keeps best in a cool, dark cupboard."),
        ),
        "Snacks": Leaf(
            nouns=("Granola Bars", "Trail Mix", "Dark Chocolate", "Rice Crackers", "Pretzels"),
            kinds=('Sea Salt', 'Honey', 'Chili', 'Salted Caramel', 'Organic', 'Vegan'),
            variants=('Single', 'Pack of 6', 'Pack of 12', 'Sharing Bag'),
            prices=(2, 15),
            blurbs=("A snack for the desk drawer, the trail or the school bag.",
                    "Made without palm oil.",
                    "Contains nuts; made in a kitchen that handles gluten.",
                    "Individually wrapped to stay fresh.",
                    "Baked, not fried."),
        ),
        "Pantry": Leaf(
            nouns=("Olive Oil", "Spaghetti", "Basmati Rice", "Tomato Passata", "Maple Syrup"),
            kinds=('Organic', 'Artisan', 'Everyday', 'Premium', 'Family Recipe'),
            variants=('Single', 'Twin Pack', 'Pack of 4', 'Large'),
            prices=(2, 35),
            blurbs=("A staple worth keeping two of in the cupboard.",
                    "Produced by a family business that has made it the same way for three generations.",
                    "Store in a cool, dry place; use within six weeks of opening.",
                    "Suitable for vegetarians and vegans.",
                    "A short list of ingredients and nothing you cannot pronounce."),
        ),
    },
    "Kitchen": {
        "Cookware": Leaf(
            nouns=("Frying Pan", "Saucepan", "Dutch Oven", "Wok", "Stock Pot"),
            kinds=('Cast Iron', 'Stainless Steel', 'Nonstick', 'Carbon Steel', 'Enamelled', 'Tri-Ply'),
            variants=('Small', 'Medium', 'Large', 'With Lid', 'Graphite', 'Red'),
            prices=(20, 250),
            blurbs=("Works on gas, electric and induction hobs, and in the oven up to 250 °C.",
                    "Heats evenly, without hot spots.",
                    "Riveted handle that stays cool on the hob.",
                    "Dishwasher safe, though it lasts longer washed by hand.",
                    "Backed by a lifetime warranty."),
        ),
        "Cutlery": Leaf(
            nouns=("Chef's Knife", "Paring Knife", "Bread Knife", "Knife Block", "Steak Knives"),
            kinds=('Japanese Damascus', 'German Steel', 'Forged', 'Olive Wood Handle', 'Professional', 'Classic'),
            variants=('Black Handle', 'Walnut Handle', 'Gift Boxed', 'Limited Edition', 'Set of 2'),
            prices=(10, 180),
            blurbs=("Hand-sharpened to a 15° edge.",
                    "Full tang, balanced for long prep sessions.",
                    "Wash by hand and dry straight away to keep the edge.",
                    "Comes in a gift box with a blade guard.",
                    "Hardened to 58 HRC: holds its edge for months."),
        ),
        "Appliances": Leaf(
            nouns=("Coffee Grinder", "Electric Kettle", "Toaster", "Blender", "Espresso Machine"),
            kinds=('Compact', 'Retro', 'Stainless Steel', 'Smart', 'Professional', 'Quiet'),
            variants=('Black', 'White', 'Brushed Steel', 'Cream', 'Sage'),
            prices=(25, 600),
            blurbs=("Two-year warranty; spare parts available for ten years.",
                    "Detachable parts go in the dishwasher.",
                    "Switches itself off when it is done.",
                    "A small footprint for a small kitchen.",
                    "Cord storage underneath keeps the counter tidy."),
        ),
    },
    "Electronics": {
        "Audio": Leaf(
            nouns=("Headphones", "Earbuds", "Bluetooth Speaker", "Soundbar", "Turntable"),
            kinds=('Wireless', 'Studio', 'Portable', 'Hi-Fi', 'Compact', 'Premium'),
            variants=('Black', 'White', 'Midnight Blue', 'Sand', 'Walnut'),
            prices=(15, 450),
            blurbs=("Up to 30 hours of playback on one charge.",
                    "Pairs with two devices at once over Bluetooth 5.3.",
                    "USB-C charging; a cable is in the box.",
                    "Tuned for clear vocals and a deep, controlled bass.",
                    "Two-year warranty."),
        ),
        "Computers": Leaf(
            nouns=("Laptop Stand", "Mechanical Keyboard", "Wireless Mouse", "USB-C Hub", "27-inch Monitor"),
            kinds=('Ergonomic', 'Aluminium', 'Compact', 'Pro', 'Slim', 'Everyday'),
            variants=('Space Grey', 'Silver', 'Black', 'White'),
            prices=(10, 900),
            blurbs=("Works with Windows, macOS and Linux without drivers.",
                    "Built for long working days at the desk.",
                    "Aluminium body that keeps cool.",
                    "Two-year warranty.",
                    "Plug and play over USB-C."),
        ),
        "Phones": Leaf(
            nouns=("Phone Case", "Wall Charger", "Power Bank", "Screen Protector", "Car Mount"),
            kinds=('MagSafe-Compatible', 'Slim', 'Rugged', 'Everyday', 'Premium', 'Eco'),
            variants=('Black', 'Clear', 'Navy', 'Graphite'),
            prices=(5, 90),
            blurbs=("Fits the latest iPhone and Android models; check the size chart.",
                    "Charges a phone from empty to 50% in about 30 minutes.",
                    "Drop-tested from two metres.",
                    "Certified safe against overheating and over-charging.",
                    "Installs in under a minute, no tools."),
        ),
    },
    "Home": {
        "Furniture": Leaf(
            nouns=("Desk Chair", "Bookshelf", "Side Table", "Floor Lamp", "Bar Stool"),
            kinds=("Ergonomic", "Scandinavian", "Mid-Century", "Industrial", "Solid Oak", "Rattan"),
            variants=("Oak", "Walnut", "Black", "White", "Natural", "Set of 2"),
            prices=(30, 800),
            blurbs=("Delivered flat-packed; assembly takes about 20 minutes.",
                    "Made from FSC-certified wood.",
                    "Tested for 10 years of daily use.",
                    "Wipe clean with a damp cloth.",
                    "Free returns within 30 days."),
        ),
        "Bedding": Leaf(
            nouns=("Duvet Cover", "Pillow", "Bed Sheet Set", "Weighted Blanket", "Mattress Topper"),
            kinds=('Organic', 'Hotel Quality', 'Cooling', 'Soft-Touch', 'Hypoallergenic', 'Classic'),
            variants=('Single', 'Double', 'King', 'White', 'Sage Green'),
            prices=(15, 250),
            blurbs=("Breathable, so it stays cool in summer and warm in winter.",
                    "Machine washable at 40 °C.",
                    "OEKO-TEX certified: tested for harmful substances.",
                    "Gets softer with every wash.",
                    "A 100-night trial: sleep on it, then decide."),
        ),
        "Decor": Leaf(
            nouns=("Wall Clock", "Picture Frame", "Scented Candle", "Vase", "Cushion Cover"),
            kinds=('Minimalist', 'Handmade', 'Nordic', 'Vintage', 'Modern', 'Rustic'),
            variants=('Small', 'Large', 'Terracotta', 'Ivory', 'Sage', 'Set of 2'),
            prices=(5, 120),
            blurbs=("Made by hand, so no two are exactly alike.",
                    "A quiet accent for a shelf, a mantelpiece or a bedside table.",
                    "Arrives gift-wrapped if you ask at checkout.",
                    "Designed in Copenhagen, made in Portugal.",
                    "Dust with a soft, dry cloth."),
        ),
    },
    "Outdoors": {
        "Camping": Leaf(
            nouns=("Tent", "Sleeping Bag", "Camping Stove", "Headlamp", "Water Filter"),
            kinds=('Ultralight', 'Backpacking', 'Expedition', 'Compact', 'Trail', 'Basecamp'),
            variants=('Olive', 'Orange', 'Grey', 'Blue'),
            prices=(10, 500),
            blurbs=("Packs down small enough for a weekend rucksack.",
                    "Tested in wind, rain and snow in the Scottish Highlands.",
                    "Comes with a stuff sack and a repair kit.",
                    "Weighs less than you expect.",
                    "Two-year warranty, repairs for life."),
        ),
        "Cycling": Leaf(
            nouns=("Bike Helmet", "Bike Light Set", "Cycling Gloves", "Bike Lock", "Saddle Bag"),
            kinds=('Commuter', 'Road', 'Urban', 'Reflective', 'Lightweight', 'Pro'),
            variants=('Black', 'Hi-Vis Yellow', 'Grey', 'Red'),
            prices=(10, 200),
            blurbs=("Meets the EN 1078 safety standard.",
                    "Visible from 500 metres at night.",
                    "Fits most bikes without tools.",
                    "Water-resistant for rides in the rain.",
                    "Sold Secure Gold rated."),
        ),
    },
    "Sports": {
        "Fitness": Leaf(
            nouns=("Yoga Mat", "Dumbbell Set", "Kettlebell", "Resistance Bands", "Jump Rope"),
            kinds=('Home Gym', 'Pro', 'Everyday', 'Eco', 'Studio', 'Essential'),
            variants=('Black', 'Purple', 'Teal', 'Grey'),
            prices=(8, 300),
            blurbs=("Built for daily workouts at home or in the gym.",
                    "Free of PVC and latex.",
                    "Comes with a printed guide of twenty exercises.",
                    "Stores flat under a bed or a sofa.",
                    "Grip stays firm even when your hands are sweaty."),
        ),
        "Running": Leaf(
            nouns=("Running Shoes", "Running Socks", "Hydration Vest", "GPS Sports Watch", "Running Armband"),
            kinds=('Trail', 'Road', 'Lightweight', 'Cushioned', 'Marathon', 'Reflective'),
            variants=('Black', 'Volt', 'Navy', 'Coral', 'Grey'),
            prices=(8, 400),
            blurbs=("Breathable mesh keeps feet cool on long runs.",
                    "Reflective details for running after dark.",
                    "Tested over 500 kilometres before it went on sale.",
                    "Machine washable at 30 °C.",
                    "Free exchanges if the size is not right."),
        ),
    },
}  # fmt: skip


def _categories_seed() -> list[tuple[Category, str, str]]:
    """The demo tree (departments → sub-categories); existing slugs are kept.

    Returns the leaves as ``(category, department name, sub-category name)``.
    """
    existing = {c.slug: c for c in Category.objects.all()}
    leaves: list[tuple[Category, str, str]] = []
    for position, (department, children) in enumerate(TREE.items()):
        parent = existing.get(slugify(department))
        if parent is None:
            parent = Category.objects.create(name=department, slug=slugify(department), position=position)
        for child_position, child in enumerate(children):
            leaf = existing.get(slugify(child))
            if leaf is None:
                leaf = Category.objects.create(
                    name=child, slug=slugify(child), parent=parent, position=child_position
                )
            leaves.append((leaf, department, child))
    return leaves


# A share of the demo products come in sizes and colours (issue #15), so the shop shows variants.
SIZES = ("S", "M", "L", "XL")
COLORS = ("black", "navy", "red", "green", "sand")
SIZED_DEPARTMENTS = frozenset({"Sports", "Outdoors"})
VARIANT_SHARE = {"sized": 0.6, "colored": 0.15}


def _demo_variants(rng: random.Random, product: Product, department: str, token: str) -> list[ProductVariant]:
    """The variants of a demo product with options (sizes, and colours for some sports and
    outdoor products; colours for some others), or ``[]`` for a plain product (its default
    variant is made by ``stock_import``). Sets ``product.options``; prices vary a little by size."""
    if department in SIZED_DEPARTMENTS and rng.random() < VARIANT_SHARE["sized"]:
        colors = rng.sample(COLORS, 2) if rng.random() < 0.5 else []
        product.options = ["size", "color"] if colors else ["size"]
        combos = [
            {"size": size, **({"color": color} if color else {})}
            for size in SIZES
            for color in colors or [""]
        ]
    elif rng.random() < VARIANT_SHARE["colored"]:
        product.options = ["color"]
        combos = [{"color": color} for color in rng.sample(COLORS, 3)]
    else:
        return []
    variants = []
    for position, options in enumerate(combos):
        bump = Decimal(SIZES.index(options["size"])) if "size" in options else Decimal(0)
        variants.append(
            ProductVariant(
                product=product,
                sku="-".join(["DEMO", token.upper(), *(str(v).upper() for v in options.values())]),
                options=options,
                price=product.price + bump,
                quantity=0 if rng.random() < 0.15 else rng.randint(1, 60),
                position=position,
                created_at=product.created_at,
                updated_at=product.updated_at,
            )
        )
    product.quantity = sum(v.quantity for v in variants)
    return variants


# Attributes (issue #15): the options' names are attributes too, so sizes and colours filter and
# facet; every product has a material and a weight, grocery products say whether they are organic.
MATERIALS = {
    "Grocery": ("paper", "glass", "tin"),
    "Kitchen": ("steel", "cast iron", "ceramic", "wood"),
    "Electronics": ("plastic", "aluminium"),
    "Home": ("cotton", "wool", "wood", "ceramic"),
    "Outdoors": ("nylon", "polyester", "aluminium"),
    "Sports": ("polyester", "rubber", "foam"),
}
DEMO_ATTRIBUTES = {
    "size": {"name": "Size", "type": "choice", "choices": list(SIZES), "position": 0},
    "color": {"name": "Colour", "type": "choice", "choices": list(COLORS), "position": 1},
    "material": {
        "name": "Material",
        "type": "choice",
        "choices": sorted({m for materials in MATERIALS.values() for m in materials}),
        "position": 2,
    },
    "weight": {"name": "Weight", "type": "number", "unit": "kg", "position": 3},
    "organic": {"name": "Organic", "type": "boolean", "position": 4},
}


def demo_attributes_seed() -> None:
    """The demo attribute definitions (missing ones only)."""
    existing = set(Attribute.objects.values_list("slug", flat=True))
    for slug, fields in DEMO_ATTRIBUTES.items():
        if slug not in existing:
            attribute_create(slug=slug, **fields)  # type: ignore[arg-type]  # name and type are in fields


def _demo_attributes(rng: random.Random, department: str) -> dict[str, object]:
    values: dict[str, object] = {
        "material": rng.choice(MATERIALS[department]),
        "weight": round(rng.uniform(0.1, 8.0), 1),
    }
    if department == "Grocery":
        values["organic"] = rng.random() < 0.35
    return values


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    whole = rng.randint(low, high)
    return Decimal(whole) + rng.choice((Decimal("0.99"), Decimal("0.49"), Decimal("0.00"), Decimal("0.95")))


def demo_product_text(rng: random.Random, department: str, child: str) -> tuple[str, str, str]:
    """A product of ``department › child``: ``(name, noun, description)``."""
    leaf = TREE[department][child]
    noun = rng.choice(leaf.nouns)
    name = f"{rng.choice(leaf.kinds)} {noun}, {rng.choice(leaf.variants)}"
    description = f"{name}, from our {child.lower()} range. " + " ".join(rng.sample(leaf.blurbs, 3))
    return name, noun, description


def demo_catalog_seed(*, products: int) -> int:
    """Make sure the catalog holds at least ``products`` products (and the demo category tree).

    Creates only what is missing, so running it again adds nothing. Returns how many products
    were created.
    """
    rng = random.Random(products)  # noqa: S311 - demo data, not security
    attribute_rng = random.Random(products + 1)  # noqa: S311 - its own stream: the products stay as before
    now = timezone.now()
    with transaction.atomic(), timestamps_as_given(Product, ProductVariant, StockMovement):
        demo_attributes_seed()
        leaves = _categories_seed()
        missing = max(0, products - Product.objects.count())
        siblings = {dep: [leaf for leaf, d, _ in leaves if d == dep] for dep in TREE}
        through = Product.categories.through
        created = 0
        while created < missing:
            batch: list[Product] = []
            batch_leaves: list[list[Category]] = []
            batch_variants: list[ProductVariant] = []
            for _ in range(min(BATCH_SIZE, missing - created)):
                leaf, department, child = rng.choice(leaves)
                name, _noun, description = demo_product_text(rng, department, child)
                low, high = TREE[department][child].prices
                token = "".join(secrets.choice(_SLUG_ALPHABET) for _ in range(8))
                quantity = 0 if rng.random() < 0.1 else rng.randint(1, 500)
                added = now - timedelta(days=rng.uniform(100, 400))  # before the demo order history
                product = Product(
                    name=name,
                    slug=f"{slugify(name)}-{token}",
                    description=description,
                    price=_price(rng, low, high),
                    discontinued=rng.random() < 0.02,
                    image_url=f"https://picsum.photos/seed/{token}/600/600",
                    attributes=_demo_attributes(attribute_rng, department),
                    created_at=added,
                    updated_at=added,
                )
                product.quantity = quantity  # its default variant's opening stock
                batch.append(product)
                batch_variants.extend(_demo_variants(rng, product, department, token))
                # about one product in four is also filed under a sibling category
                extra = rng.choice(siblings[department])
                batch_leaves.append([leaf] if extra == leaf or rng.random() < 0.7 else [leaf, extra])
            # the products and their opening stock (ledger rows dated with them) through the
            # one stock module
            stock_import(
                created=batch,
                levels={},
                reason=StockMovementReason.RESTOCK,
                note=OPENING_STOCK_NOTE,
                created_variants=batch_variants,
            )
            through.objects.bulk_create(
                [
                    through(product_id=product.pk, category_id=category.pk)
                    for product, categories in zip(batch, batch_leaves, strict=True)
                    for category in categories
                ],
                batch_size=BATCH_SIZE * 2,
            )
            attribute_index_sync(product.pk for product in batch)
            created += len(batch)
        if created:
            catalog_changed()
    return created


DEMO_IMAGE_PRODUCTS = 30
DEMO_IMAGE_SIZE = (640, 640)


def demo_picture(rng: random.Random, label: str) -> bytes:
    """A JPEG drawn with Pillow (no download): a two-colour gradient, a few shapes and ``label``."""

    width, height = DEMO_IMAGE_SIZE
    top = tuple(rng.randint(40, 215) for _ in range(3))
    bottom = tuple(rng.randint(40, 215) for _ in range(3))
    image = Image.linear_gradient("L").resize(DEMO_IMAGE_SIZE)
    picture = Image.composite(
        Image.new("RGB", DEMO_IMAGE_SIZE, bottom), Image.new("RGB", DEMO_IMAGE_SIZE, top), image
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(3):
        x, y, size = rng.randint(0, width - 200), rng.randint(0, height - 200), rng.randint(80, 200)
        fill = tuple(rng.randint(0, 255) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + size, y + size), fill=fill, outline=(255, 255, 255), width=4)
    draw.rectangle((0, height - 70, width, height), fill=(255, 255, 255))
    draw.text((24, height - 52), label[:60], fill=(30, 30, 30), font_size=28)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def demo_images_seed(*, products: int = DEMO_IMAGE_PRODUCTS) -> int:
    """Give the first ``products`` products (oldest first) without images one generated picture
    each (two for every third), through the image service: its renditions follow in the
    background (in-process without a broker). Returns how many images were created."""
    created = 0
    first = list(Product.objects.order_by("pk").values_list("pk", flat=True)[:products])
    for product in Product.objects.filter(pk__in=first, images__isnull=True).order_by("pk"):
        rng = random.Random(product.pk)  # noqa: S311 - demo data, not security
        for view in ("front", "detail")[: 2 if product.pk % 3 == 0 else 1]:
            content = demo_picture(rng, product.name)
            product_image_add(
                product=product, upload=io.BytesIO(content), size=len(content), alt=f"{product.name}, {view}"
            )
            created += 1
    return created
