"""Demo catalog for ``seed_demo``: a category tree and up to N realistic products (idempotent).

Bulk inserts in batches, names built from per-category vocabularies, descriptions from a pool of
Faker sentences (seeded, so every run looks alike): 100,000 products load in well under a
minute on PostgreSQL.
"""

from __future__ import annotations

import random
import secrets
import string
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify
from faker import Faker

from orders.models import StockMovement, StockMovementReason

from .cache import catalog_changed
from .models import Category, Product

BATCH_SIZE = 2_000
_SLUG_ALPHABET = string.ascii_lowercase + string.digits

# department → {sub-category: (product nouns, (min price, max price))}
TREE: dict[str, dict[str, tuple[tuple[str, ...], tuple[int, int]]]] = {
    "Grocery": {
        "Coffee": (("Coffee Beans", "Espresso Blend", "Ground Coffee", "Cold Brew", "Coffee Pods"), (6, 40)),
        "Tea": (("Green Tea", "Black Tea", "Herbal Tea", "Matcha Powder", "Chai Blend"), (4, 30)),
        "Snacks": (("Granola Bars", "Trail Mix", "Dark Chocolate", "Rice Crackers", "Pretzels"), (2, 15)),
        "Pantry": (("Olive Oil", "Pasta", "Basmati Rice", "Tomato Sauce", "Maple Syrup"), (2, 35)),
    },
    "Kitchen": {
        "Cookware": (("Frying Pan", "Saucepan", "Dutch Oven", "Wok", "Stock Pot"), (20, 250)),
        "Cutlery": (("Chef Knife", "Paring Knife", "Bread Knife", "Knife Block", "Steak Knives"), (10, 180)),
        "Appliances": (("Coffee Grinder", "Kettle", "Toaster", "Blender", "Espresso Machine"), (25, 600)),
    },
    "Electronics": {
        "Audio": (("Headphones", "Earbuds", "Bluetooth Speaker", "Soundbar", "Turntable"), (15, 450)),
        "Computers": (
            ("Laptop Stand", "Mechanical Keyboard", "Wireless Mouse", "USB-C Hub", "Monitor"),
            (10, 900),
        ),
        "Phones": (("Phone Case", "Charger", "Power Bank", "Screen Protector", "Car Mount"), (5, 90)),
    },
    "Home": {
        "Furniture": (("Desk Chair", "Bookshelf", "Side Table", "Floor Lamp", "Bar Stool"), (30, 800)),
        "Bedding": (
            ("Duvet Cover", "Pillow", "Bed Sheet Set", "Weighted Blanket", "Mattress Topper"),
            (15, 250),
        ),
        "Decor": (("Wall Clock", "Picture Frame", "Candle", "Vase", "Throw Pillow"), (5, 120)),
    },
    "Outdoors": {
        "Camping": (("Tent", "Sleeping Bag", "Camping Stove", "Headlamp", "Water Filter"), (10, 500)),
        "Cycling": (("Bike Helmet", "Bike Light", "Cycling Gloves", "Bike Lock", "Saddle Bag"), (10, 200)),
    },
    "Sports": {
        "Fitness": (("Yoga Mat", "Dumbbell Set", "Kettlebell", "Resistance Bands", "Jump Rope"), (8, 300)),
        "Running": (
            ("Running Shoes", "Running Socks", "Hydration Vest", "Sports Watch", "Armband"),
            (8, 400),
        ),
    },
}
ADJECTIVES = (
    "Premium", "Organic", "Classic", "Deluxe", "Compact", "Professional", "Eco", "Artisan", "Ultra",
    "Everyday", "Vintage", "Smart", "Heavy-Duty", "Lightweight", "Handmade", "Signature", "Essential",
    "Nordic", "Italian", "Japanese",
)  # fmt: skip
VARIANTS = (
    "Black", "White", "Stainless", "Oak", "Walnut", "Medium Roast", "Dark Roast", "Large", "Small",
    "XL", "Pro", "Mini", "Gold", "Blue", "Green", "Set of 2", "Family Size", "Travel",
)  # fmt: skip


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


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    whole = rng.randint(low, high)
    return Decimal(whole) + rng.choice((Decimal("0.99"), Decimal("0.49"), Decimal("0.00"), Decimal("0.95")))


def demo_catalog_seed(*, products: int) -> int:
    """Make sure the catalog holds at least ``products`` products (and the demo category tree).

    Creates only what is missing, so running it again adds nothing. Returns how many products
    were created.
    """
    rng = random.Random(products)  # noqa: S311 - demo data, not security
    faker = Faker()
    faker.seed_instance(products)
    sentences = [faker.sentence(nb_words=12) for _ in range(400)]
    with transaction.atomic():
        leaves = _categories_seed()
        missing = max(0, products - Product.objects.count())
        siblings = {dep: [leaf for leaf, d, _ in leaves if d == dep] for dep in TREE}
        through = Product.categories.through
        created = 0
        while created < missing:
            batch: list[Product] = []
            batch_leaves: list[list[Category]] = []
            for _ in range(min(BATCH_SIZE, missing - created)):
                leaf, department, child = rng.choice(leaves)
                nouns, (low, high) = TREE[department][child]
                noun = rng.choice(nouns)
                name = f"{rng.choice(ADJECTIVES)} {noun} {rng.choice(VARIANTS)}"
                token = "".join(secrets.choice(_SLUG_ALPHABET) for _ in range(8))
                quantity = 0 if rng.random() < 0.1 else rng.randint(1, 500)
                batch.append(
                    Product(
                        name=name,
                        slug=f"{slugify(name)}-{token}",
                        description=f"{noun} for everyday use. " + " ".join(rng.sample(sentences, 3)),
                        price=_price(rng, low, high),
                        quantity=quantity,
                        discontinued=rng.random() < 0.02,
                        image_url=f"https://picsum.photos/seed/{token}/600/600",
                    )
                )
                # about one product in four is also filed under a sibling category
                extra = rng.choice(siblings[department])
                batch_leaves.append([leaf] if extra == leaf or rng.random() < 0.7 else [leaf, extra])
            Product.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            if batch[0].pk is None:  # databases that cannot return ids from a bulk insert
                ids = dict(Product.objects.filter(slug__in=[p.slug for p in batch]).values_list("slug", "pk"))
                for product in batch:
                    product.pk = ids[product.slug]
            through.objects.bulk_create(
                [
                    through(product_id=product.pk, category_id=category.pk)
                    for product, categories in zip(batch, batch_leaves, strict=True)
                    for category in categories
                ],
                batch_size=BATCH_SIZE * 2,
            )
            StockMovement.objects.bulk_create(
                [
                    StockMovement(product_id=p.pk, delta=p.quantity, reason=StockMovementReason.ADJUSTMENT)
                    for p in batch
                    if p.quantity
                ],
                batch_size=BATCH_SIZE * 2,
            )
            created += len(batch)
        if created:
            catalog_changed()
    return created
