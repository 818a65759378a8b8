from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        """A deleted product image deletes its files after commit (``catalog.tasks``); the hourly
        housekeeping folds the kept facet bitmaps (``catalog.queries.facet_bitmaps_compact``)."""
        from django.db.models.signals import post_delete

        from ecommerce.common.tasks import housekeeping_register

        from .models import ProductImage
        from .queries import facet_bitmaps_compact
        from .tasks import image_files_delete_on_delete

        housekeeping_register("catalog-facet-bitmaps", facet_bitmaps_compact)

        post_delete.connect(
            image_files_delete_on_delete, sender=ProductImage, dispatch_uid="catalog-image-files-delete"
        )
