"""Factories for categories, products and store managers."""

from decimal import Decimal

import factory

from accounts.models import StoreManager
from catalog.models import Category, Product, ProductVariant
from catalog.stock import default_sku


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
    quantity = 10  # the default variant's (see _create)

    @classmethod
    def _create(cls, model_class: type[Product], *args: object, **kwargs: object) -> Product:
        """The product and its default variant (no options) with ``quantity`` units, written
        directly as fixtures (no ledger rows), as a product row with its quantity was before."""
        return product_with_default_variant(model_class, **kwargs)

    @factory.post_generation
    def categories(self, create: bool, extracted: list[Category] | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(extracted)


def product_with_default_variant(model_class: type[Product] = Product, **kwargs: object) -> Product:
    """A saved product with its default variant holding ``quantity`` (default 10) units."""
    quantity = int(kwargs.pop("quantity", 10))  # type: ignore[call-overload]
    product = model_class.objects.create(**kwargs)
    ProductVariant.objects.create(
        product=product, sku=default_sku(product.slug, product.pk), price=product.price, quantity=quantity
    )
    product.quantity = quantity
    return product
