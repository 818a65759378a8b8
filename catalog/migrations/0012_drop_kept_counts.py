"""Drop ``FacetCount``/``PriceCount`` (0008) and ``FacetPairCount``/``PricePairCount`` (0010), their
triggers and functions: the bitmaps of ``0011_facet_bitmaps`` answer the lists they answered (the
whole catalog, a category, one value) in about the same few milliseconds, and their triggers cost
a bulk rewrite of value rows several times what the bitmaps' do (docs/benchmarks.md).

Reversible: backwards, the tables come back and 0008's and 0010's statements run again (their
triggers, functions and first fill from the rows as they are then).
"""

from importlib import import_module

from django.db import migrations

from ecommerce.common.db import run_on_postgresql

_COUNTS = import_module("catalog.migrations.0008_facet_counts")
_PAIRS = import_module("catalog.migrations.0010_facet_pair_counts")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_facet_bitmaps"),
    ]

    operations = [
        migrations.RunPython(
            run_on_postgresql([*_PAIRS.BACKWARD, *_COUNTS.BACKWARD]),
            run_on_postgresql([*_COUNTS.FORWARD, *_PAIRS.FORWARD]),
            elidable=False,
        ),
        migrations.DeleteModel(name="FacetCount"),
        migrations.DeleteModel(name="PriceCount"),
        migrations.DeleteModel(name="FacetPairCount"),
        migrations.DeleteModel(name="PricePairCount"),
    ]
