"""Factories for categories, products and store managers."""

from decimal import Decimal

import factory

from accounts.models import StoreManager
from catalog.models import Category, Product


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
    """``ProductFactory(categories=[cat, …])`` files the product under those categories."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = factory.Faker("sentence")
    price = Decimal("9.99")
    quantity = 10

    @factory.post_generation
    def categories(self, create: bool, extracted: list[Category] | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(extracted)
