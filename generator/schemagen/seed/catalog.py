"""Product-catalog text that agrees with itself row by row: a title, its handle,
the product type, the vendor, tags and a description.

Each row draws hidden choices (a category, a noun, descriptors, a qualifier, a
brand) from :mod:`.catalog_words`, each a pure function of (seed, table, part,
row): every column of the row that needs the same choice computes the same
value without reading another column. So a product whose title reads "Norvik
Merino Charcoal Hoodie" has the handle ``norvik-merino-charcoal-hoodie-17``,
the type "Sweatshirts" and the vendor "Norvik". Categories, nouns, qualifiers
and brands are skewed (a few common, a long tail), as in real catalogs, so a
search term matches as many rows as it would in a real store's catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.sqltext import sql_string
from . import catalog_words as w
from .random import below, pick_text, salt, uniform

#: A category's share of the products falls with its rank (Zipf, exponent 0.9).
_ZIPF = 0.9
#: Categories are drawn through a table of this many slots (an integer array:
#: reading one slot costs the same wherever it is, unlike a text array's).
_SLOTS = 4096


def _array(words: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(sql_string(x) for x in words) + "]"


def _category_slots() -> str:
    weights = [1 / (rank**_ZIPF) for rank in range(1, len(w.CATEGORIES) + 1)]
    total = sum(weights)
    slots: list[int] = []
    cumulative = 0.0
    for number, weight in enumerate(weights, start=1):
        cumulative += weight
        slots += [number] * (round(_SLOTS * cumulative / total) - len(slots))
    return "ARRAY[" + ", ".join(str(n) for n in slots) + "]"


_CATEGORY_SLOTS = _category_slots()

#: Text columns made from another column of the same row (handle from title).
DERIVED = {"handle": "title", "slug": "title"}


def derived_from(column: str, text_columns: frozenset[str] | set[str]) -> str | None:
    """The column ``column`` is made from, when its table has one."""
    for part, source in DERIVED.items():
        if part in column and source in text_columns and column != source:
            return source
    return None


def slug(text_sql: str) -> str:
    """A Shopify handle of a title: lower case, hyphens for spaces."""
    return f"replace(replace(replace(lower({text_sql}), ',', ''), ' - ', '-'), ' ', '-')"
_TYPES = _array(tuple(c.kind for c in w.CATEGORIES))


@dataclass(frozen=True)
class Catalog:
    """The SQL of one table's catalog columns under one seed (row number ``n``)."""

    seed: int
    table: str

    def _salt(self, part: str) -> int:
        return salt(self.seed, self.table, "catalog", part)

    def _u(self, part: str) -> str:
        return uniform(self._salt(part))

    def _category(self) -> str:
        """1-based category, the first ones most common."""
        slot = f"hashint8extended(n, {self._salt('category')}) & {_SLOTS - 1}"
        return f"({_CATEGORY_SLOTS})[1 + ({slot})]"

    def _per_category(self, pools: list[tuple[str, ...]], part: str, skew: float) -> str:
        """A word from the row's category's pool (NULL for a category without one),
        the first words most common. One short array per category: PostgreSQL
        walks a text array from its start to read an element."""
        index = f"power({self._u(part)}, {skew!r})"
        branches = [
            f"WHEN {number} THEN ({_array(pool)})[1 + floor({len(pool)} * {index})::int]"
            for number, pool in enumerate(pools, start=1)
            if pool
        ]
        return f"(CASE {self._category()} {' '.join(branches)} END)"

    def noun(self) -> str:
        return self._per_category([c.nouns for c in w.CATEGORIES], "noun", 1.8)

    def _descriptor(self, part: str) -> str:
        return self._per_category([c.descriptors for c in w.CATEGORIES], part, 1.5)

    def _qualifier(self) -> str:
        pools = [w.QUALIFIERS.get(c.qualifier, ()) for c in w.CATEGORIES]
        return self._per_category(pools, "qualifier", 2.0)

    def _detail(self) -> str:
        return self._per_category([c.details for c in w.CATEGORIES], "detail", 1.5)

    def brand(self) -> str:
        start = pick_text(w.BRAND_STARTS, self._salt("brand1"), skew=2.0)
        end = pick_text(w.BRAND_ENDS, self._salt("brand2"), skew=1.5)
        return f"({start} || {end})"

    def product_type(self) -> str:
        return f"({_TYPES})[{self._category()}]"

    def title(self) -> str:
        """Brand (about half the titles, as in real feeds), one or two descriptors,
        the noun, a color, scent, size or finish before or after it, and often a
        detail after a comma: "Norwood Merino Charcoal Beanie, Unisex",
        "Velwood Soy Candle - Fig", "Organic Cotton Relaxed Fit Tee, Pack of 3"."""
        where = self._u("qualifier at")
        parts = [
            f"CASE WHEN {self._u('has brand')} < 0.53 THEN {self.brand()} END",
            f"CASE WHEN {self._u('has descriptor')} < 0.85 THEN {self._descriptor('d1')} END",
            f"CASE WHEN {self._u('has second')} < 0.35 THEN {self._descriptor('d2')} END",
            f"CASE WHEN {where} < 0.45 THEN {self._qualifier()} END",
            self.noun(),
            f"CASE WHEN {where} >= 0.45 AND {where} < 0.8 THEN '- ' || {self._qualifier()} END",
        ]
        detail = f"CASE WHEN {self._u('has detail')} < 0.55 THEN ', ' || {self._detail()} END"
        return f"(concat_ws(' ', {', '.join(parts)}) || coalesce({detail}, ''))"

    def handle(self) -> str:
        """A handle of a title (for a table without its title), made unique by ``n``."""
        return f"{slug(self.title())} || '-' || n"

    def tags(self, salt_value: int) -> str:
        """One to three comma-separated tags, as Shopify sends them."""
        u = uniform(salt_value, "n")
        first = pick_text(w.TAGS, salt(self.seed, self.table, "tags", "1"), skew=2.0)
        second = pick_text(w.TAGS, salt(self.seed, self.table, "tags", "2"), skew=2.0)
        third = pick_text(w.TAGS, salt(self.seed, self.table, "tags", "3"), skew=2.0)
        return (
            f"concat_ws(', ', {first}, CASE WHEN {u} < 0.6 THEN {second} END, "
            f"CASE WHEN {u} < 0.25 THEN {third} END)"
        )

    def body_html(self) -> str:
        """An HTML description: two sentences about the product and three list
        points, all different (real descriptions run to a few hundred characters)."""
        blurbs, features = _array(w.BLURBS), _array(w.FEATURES)
        b, f = len(w.BLURBS), len(w.FEATURES)
        first = below(b, self._salt("blurb"))
        # the second sentence and the points step away from the first: never repeated
        second = f"({blurbs})[1 + ({first} + 1 + {below(b - 1, self._salt('blurb2'))}) % {b}]"
        start = below(f, self._salt("feature"))
        items = " || ".join(
            f"'<li>' || ({features})[1 + ({start} + {7 * i}) % {f}] || '</li>'" for i in range(3)
        )
        return (
            f"'<p>This ' || lower({self.noun()}) || ' ' || ({blurbs})[1 + {first}] || '. It ' "
            f"|| {second} || '.</p><ul>' || {items} || '</ul>'"
        )
