"""Ledgers on disk: finding, reading, caching and appending. The only code that touches them."""
