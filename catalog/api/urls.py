"""API routes of this app (registered with and without a trailing slash via ``api_path``)."""

urlpatterns: list = []
