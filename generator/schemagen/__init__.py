"""schemagen: one YAML schema, three outputs that cannot disagree."""

__version__ = "0.1.0"
