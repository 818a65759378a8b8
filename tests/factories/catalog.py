"""Factories for categories, products and store managers."""

from decimal import Decimal

import factory

from catalog.models import Category, Product
from inventory.models import StoreManager


class StoreManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreManager

    external_id = factory.Sequence(lambda n: f"mgr_{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = factory.Faker("sentence")
    price = Decimal("9.99")
    quantity = 10
