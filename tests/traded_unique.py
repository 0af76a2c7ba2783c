"""The products table of the tests of a unique constraint that trades a column the
plan drops for another (unique(store_id, legacy) -> unique(store_id, variant),
legacy dropped): its schema before, without variant or with it already there, and
after. ``OLD_NAME`` and ``NEW_NAME`` stand for the constraint's names."""

from __future__ import annotations

#: legacy and the unique over it; no variant yet
BEFORE = """\
database: {name: traded}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      legacy: {type: text, nullable: true}
    unique:
      OLD_NAME: [store_id, legacy]
"""
#: variant already there (nullable), not added by the plan
WITH_VARIANT = BEFORE.replace(
    "      legacy: {type: text, nullable: true}\n",
    "      legacy: {type: text, nullable: true}\n      variant: {type: text, nullable: true}\n",
)
#: legacy dropped, the unique over variant
AFTER = """\
database: {name: traded}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      variant: {type: text, nullable: true}
    unique:
      NEW_NAME: [store_id, variant]
"""
