from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        """A deleted product image deletes its files after commit (``catalog.tasks``); the hourly
        housekeeping folds the kept facet counts (``catalog.queries.facet_counts_compact``)."""
        from django.db.models.signals import post_delete

        from ecommerce.common.tasks import housekeeping_register

        from .models import ProductImage
        from .queries import facet_counts_compact
        from .tasks import image_files_delete_on_delete

        housekeeping_register("catalog-facet-counts", facet_counts_compact)

        post_delete.connect(
            image_files_delete_on_delete, sender=ProductImage, dispatch_uid="catalog-image-files-delete"
        )
