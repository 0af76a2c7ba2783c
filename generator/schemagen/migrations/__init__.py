"""Migrations: snapshot, diff, operations, revision rendering and history."""
