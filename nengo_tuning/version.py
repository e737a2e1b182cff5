"""Package version (single source: setup.cfg reads it from here)."""

version = "0.2.0.dev0"
