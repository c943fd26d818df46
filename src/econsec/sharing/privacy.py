"""Differentially private counts and means for releases (OpenDP's Laplace mechanism).

A release may ask for differential privacy with a budget ε. The number of contributing firms
and the sum of their input shares (each clamped to [0, 1], so one firm moves the sum by at most
1) each get half of ε, through OpenDP's ``count`` and ``sum`` transformations followed by the
Laplace mechanism with scale 2/ε. The released mean is the noisy sum over the noisy count,
clipped to [0, 1]. The privacy loss is the one OpenDP's privacy map states for neighbouring
datasets that differ by one firm; the service charges it to the audience's budget.

Reference: Dwork & Roth, *The Algorithmic Foundations of Differential Privacy* (2014), §3.3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NoisyMean", "noisy_mean"]


@dataclass(frozen=True, slots=True)
class NoisyMean:
    count: int
    mean: float
    epsilon: float  # the privacy loss OpenDP's maps state for both releases together


def noisy_mean(values: Sequence[float], epsilon: float) -> NoisyMean:
    """A differentially private count and mean of ``values`` in [0, 1] at total ``epsilon``
    (OpenDP's Laplace mechanism on the count and on the sum, each at half of ε).

    Parameters
    ----------
    values : sequence of float
        One value per firm, clamped to [0, 1].
    epsilon : float
        The privacy loss of the pair of releases.

    Returns
    -------
    NoisyMean
        The noised count (at least 1), mean (in [0, 1]) and the ε OpenDP states.

    Examples
    --------
    >>> r = noisy_mean([0.2, 0.3, 0.4, 0.5, 0.6], 1.0)
    >>> 0 <= r.mean <= 1 and r.epsilon <= 1.0 + 1e-6
    True
    """
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = (
        dp.vector_domain(dp.atom_domain(bounds=(0.0, 1.0), nan=False)),
        dp.symmetric_distance(),
    )
    scale = 2.0 / epsilon
    total = space >> dp.t.then_sum() >> dp.m.then_laplace(scale=scale)  # type: ignore[no-untyped-call]
    count = space >> dp.t.then_count() >> dp.m.then_laplace(scale=scale)
    data = [min(max(float(v), 0.0), 1.0) for v in values]
    noisy_count = max(int(count(data)), 1)  # the count mechanism adds integer noise
    noisy_sum = float(total(data))
    return NoisyMean(
        count=noisy_count,
        mean=min(max(noisy_sum / noisy_count, 0.0), 1.0),
        epsilon=float(total.map(1)) + float(count.map(1)),
    )
