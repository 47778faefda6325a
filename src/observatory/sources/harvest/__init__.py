"""Harvesters for publishers' APIs: fetch pages to files that the source loaders then read."""

from observatory.sources.harvest.ocds_api import (
    SOURCES,
    HarvestError,
    HarvestResult,
    PageSaved,
    RetryPolicy,
    harvest,
)

__all__ = ["SOURCES", "HarvestError", "HarvestResult", "PageSaved", "RetryPolicy", "harvest"]
