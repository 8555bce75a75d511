"""The embedded DuckDB event store."""

from .core import IngestReport, Store, default_store_path, fingerprint
from .schema import SCHEMA_VERSION

__all__ = ["Store", "IngestReport", "default_store_path", "fingerprint", "SCHEMA_VERSION"]
