"""Package version (single source: setup.cfg reads it from here)."""

version = "0.1.0.dev0"
