from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        """A deleted product image deletes its files after commit (``catalog.tasks``)."""
        from django.db.models.signals import post_delete

        from .models import ProductImage
        from .tasks import image_files_delete_on_delete

        post_delete.connect(
            image_files_delete_on_delete, sender=ProductImage, dispatch_uid="catalog-image-files-delete"
        )
