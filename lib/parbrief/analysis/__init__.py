"""The compose layer: what one page knows, computed from the data by the statistics.

``brief`` (one province), ``overview`` (the national table), ``headline`` (a province's standing
in a year), ``reorganization`` (the 2025 map and method periods: which years may be compared),
``standing`` (movement across method changes: standing trends, raw paths, national rank),
``pooling`` (the serial correlation pooled over the store's provinces, once per snapshot).
``report`` turns these results into figures, tables and sentences.
"""
