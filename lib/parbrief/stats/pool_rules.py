"""When the store's provinces share one serial correlation: the rule, without the statistics.

A module of constants only, so that what decides a brief's fingerprint (``parbrief.run.fingerprint``)
reads the rule without importing SciPy (≈ 1 s of an unchanged rerun); :mod:`parbrief.stats.serial`
uses and re-exports them.
"""

from __future__ import annotations

__all__ = ["MIN_POOL_PANELS", "POOL_CAUTION"]

#: SDs of the pooled ρ̂ the tests add (covers ρ varying by ±0.2 between provinces: bench/calibration.py).
POOL_CAUTION = 1.0
#: Fewest panels (provinces) a pooled ρ is estimated from; with fewer, each province its own.
MIN_POOL_PANELS = 5
