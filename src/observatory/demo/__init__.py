"""The demonstration network: a seeded generator of synthetic, fictional member data.

A fresh machine with no internet and no ``../shared`` can still show the whole product: the
generator writes spend files in the real publishers' shapes (with their quirks), contracts
registers and accounts-payable extracts for five invented public bodies. See docs/demo-network.md.
"""

from observatory.demo.generator import DemoFile, DemoNetwork, write_demo_network

__all__ = ["DemoFile", "DemoNetwork", "write_demo_network"]
