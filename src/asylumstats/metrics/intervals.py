"""The 95% Wilson score interval for a proportion."""

from __future__ import annotations

import math

#: The 97.5th percentile of the standard normal distribution (two-sided 95%).
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval (low, high) for ``successes`` out of ``n``; (None, None) if n = 0."""
    if n <= 0:
        return None, None
    if successes < 0 or successes > n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = max(0.0, centre - half)
    high = min(1.0, centre + half)
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return low, high
