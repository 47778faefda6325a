"""Procurement Observatory: spend, contract and supplier analytics for networks of public bodies."""

__version__ = "0.1.0"
