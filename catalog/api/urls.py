"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

from ecommerce.common.urls import api_path

from .views import (
    AttributeDetailApi,
    AttributeListApi,
    CategoryDetailApi,
    CategoryListApi,
    ProductDetailApi,
    ProductExportApi,
    ProductImageDetailApi,
    ProductImageListApi,
    ProductImportApi,
    ProductListApi,
    VariantDetailApi,
    VariantListApi,
)

urlpatterns = [
    *api_path("attributes/", AttributeListApi.as_view(), name="attribute-list"),
    *api_path("attributes/<str:attribute_id>/", AttributeDetailApi.as_view(), name="attribute-detail"),
    *api_path("categories/", CategoryListApi.as_view(), name="category-list"),
    *api_path("categories/<str:category_id>/", CategoryDetailApi.as_view(), name="category-detail"),
    *api_path("products/", ProductListApi.as_view(), name="product-list"),
    # before products/<product_id>/, which would take "export" and "import" for product ids
    *api_path("products/export/", ProductExportApi.as_view(), name="product-export"),
    *api_path("products/import/", ProductImportApi.as_view(), name="product-import"),
    *api_path("products/<str:product_id>/", ProductDetailApi.as_view(), name="product-detail"),
    *api_path("products/<str:product_id>/images/", ProductImageListApi.as_view(), name="product-image-list"),
    *api_path(
        "products/<str:product_id>/images/<str:image_id>/",
        ProductImageDetailApi.as_view(),
        name="product-image-detail",
    ),
    *api_path("products/<str:product_id>/variants/", VariantListApi.as_view(), name="variant-list"),
    *api_path(
        "products/<str:product_id>/variants/<str:variant_id>/",
        VariantDetailApi.as_view(),
        name="variant-detail",
    ),
]
