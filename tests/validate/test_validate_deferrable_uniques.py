"""Deferrable unique constraints: the model, and the located errors (PostgreSQL
defers constraints only, and refuses a foreign key to a deferrable unique)."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of

BASE = """
entities:
  Track:
    columns:
      id: {type: bigint, primary_key: true}
      pos: {type: integer}
      code: {type: text}
      slot: {type: integer}
    unique:
      tracks_pos_uq: {columns: [pos], initially_deferred: true}
      tracks_code_uq: {columns: [code], deferrable: true}
      tracks_slot_uq: [slot]
"""


def test_deferral_in_the_model(tmp_path: Path) -> None:
    track = schema_of(tmp_path, {"s.yaml": BASE}).entity("Track")
    got = {uq.name: (uq.columns, uq.deferrable, uq.initially_deferred) for uq in track.uniques}
    assert got == {
        "tracks_code_uq": (("code",), True, False),
        "tracks_pos_uq": (("pos",), True, True),
        "tracks_slot_uq": (("slot",), False, False),
    }


def test_misplaced_deferral_and_keys_to_it_are_located_errors(tmp_path: Path) -> None:
    text = BASE + """
      tracks_bad_uq: {columns: [pos, code], deferrable: "yes"}
      tracks_posx_uq: {columns: [posx], deferrable: true}
    indexes:
      ix_tracks_slot: {columns: [slot], unique: true, deferrable: true}
  Play:
    columns:
      id: {type: bigint, primary_key: true}
      track_pos: {references: Track.pos}
      track_code: {type: text, unique: true, deferrable: true}
      track_slot: {references: Track.slot}
    foreign_keys:
      fk_plays_code:
        columns: [track_code]
        references: Track
        ref_columns: [code]
"""
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        'schema/s.yaml:13:45: entities.Track.unique.tracks_bad_uq.deferrable: expected true '
        "or false, got 'yes'",
        'schema/s.yaml:14:34: entities.Track.unique.tracks_posx_uq.columns.0: unknown column '
        "'posx' (did you mean 'pos'?)",
        'schema/s.yaml:16:55: entities.Track.indexes.ix_tracks_slot.deferrable: an index '
        'cannot be DEFERRABLE (only a constraint can); declare a unique constraint under the '
        "entity's unique: as {columns: [...], deferrable: true}",
        'schema/s.yaml:20:19: entities.Play.columns.track_pos.references: Track (pos) is '
        'unique only by its DEFERRABLE unique constraint tracks_pos_uq; PostgreSQL refuses a '
        'foreign key that references a deferrable unique constraint: add a unique constraint '
        'that is not deferrable, or reference another key',
        'schema/s.yaml:21:46: entities.Play.columns.track_code.deferrable: `deferrable` needs'
        ' `references` (a foreign key); a deferrable unique constraint is declared under the '
        "entity's unique: as {columns: [track_code], deferrable: true}",
        'schema/s.yaml:26:9: entities.Play.foreign_keys.fk_plays_code.references: Track '
        '(code) is unique only by its DEFERRABLE unique constraint tracks_code_uq; PostgreSQL'
        ' refuses a foreign key that references a deferrable unique constraint: add a unique '
        'constraint that is not deferrable, or reference another key',
    ]
