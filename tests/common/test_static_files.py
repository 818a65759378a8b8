"""Production static files: collectstatic with the manifest storage `make run` and the Docker
image use must succeed (a vendored file referencing a missing source map broke it once)."""

from django.core.management import call_command

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_with_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = PRODUCTION_STORAGES
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for asset in (
        "admin/css/base.css",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "analytics/vendor/chart.umd.min.js",
    ):
        assert f'"{asset}"' in manifest, asset
