"""Fast exact ESRI for large networks: local, asynchronous cascades compiled with Numba.

The cascade of :mod:`econsec.network.cascade` is a monotone map; iterating it node by node in
any order (chaotic, Gauss-Seidel style) from the initial levels decreases to the same largest
fixed point as the synchronous iteration. A firm's failure only moves the firms its effects
reach, so each cascade here touches only those: a work queue holds the firms whose inputs or
customers changed, a firm is updated when its level falls by more than ``eps``, and its
suppliers and customers are queued in turn. Running sums (input still delivered per input type,
sales lost per firm) are updated by each change, so evaluating a firm costs its number of input
types, not its number of links — which matters for hub suppliers with thousands of customers.

Cascades of different firms are independent: :func:`esri_local` splits the firms over threads
(Numba ``prange``); :func:`esri_spark` fans them out over Spark executors.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from econsec.network.cascade import Propagator
from econsec.network.model import Network

__all__ = ["Compiled", "compile_network", "esri_local", "esri_spark"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Compiled:
    """The network as flat arrays for the compiled kernel (links sorted by buyer and by supplier)."""

    output: FloatArray  # x_j, for the loss
    capacity: FloatArray  # max(output, network sales), the denominator of the demand side
    in_ptr: IntArray
    in_supplier: IntArray
    in_value: FloatArray
    slot_total: FloatArray
    slot_essential: npt.NDArray[np.bool_]
    slot_share: FloatArray
    out_ptr: IntArray
    out_buyer: IntArray
    out_value: FloatArray
    out_slot: IntArray  # the buyer's slot of each out-link
    slot_ptr: IntArray  # slots of firm j: slot_ptr[j] .. slot_ptr[j + 1]


def compile_network(network: Network) -> Compiled:
    """Flatten a network for :func:`esri_local`."""
    prop = Propagator.of(network)
    n = network.n_firms
    coo = prop.links_to_slots.tocoo()
    slot = np.empty(network.n_links, np.int64)
    slot[coo.col] = coo.row  # the slot of each link
    by_buyer = np.argsort(network.buyer, kind="stable")
    by_supplier = np.argsort(network.supplier, kind="stable")
    linear = prop.linear_share
    ess_flags = np.zeros(prop.slot_total.size, bool)
    ess_flags[prop.ess_order] = True
    return Compiled(
        output=network.output.astype(np.float64),
        capacity=prop.output,
        in_ptr=np.concatenate(([0], np.cumsum(np.bincount(network.buyer, minlength=n)))).astype(
            np.int64
        ),
        in_supplier=network.supplier[by_buyer].astype(np.int64),
        in_value=network.value[by_buyer].astype(np.float64),
        slot_total=prop.slot_total,
        slot_essential=ess_flags,
        slot_share=linear,
        out_ptr=np.concatenate(([0], np.cumsum(np.bincount(network.supplier, minlength=n)))).astype(
            np.int64
        ),
        out_buyer=network.buyer[by_supplier].astype(np.int64),
        out_value=network.value[by_supplier].astype(np.float64),
        out_slot=slot[by_supplier],
        slot_ptr=np.concatenate(
            ([0], np.cumsum(np.bincount(prop.slots_to_firms.tocoo().row, minlength=n)))
        ).astype(np.int64),
    )


_KERNEL: Any = None


def _kernel() -> Any:
    """Compile the cascade kernel once (cached on disk by Numba)."""
    global _KERNEL
    if _KERNEL is not None:
        return _KERNEL
    import numba

    @numba.njit(cache=True, nogil=True)
    def cascade_losses(  # type: ignore[no-untyped-def]
        firms,
        eps,
        output,
        capacity,
        in_ptr,
        in_supplier,
        in_value,
        out_ptr,
        out_buyer,
        out_value,
        out_slot,
        slot_ptr,
        slot_total,
        slot_ess,
        slot_share,
    ):
        # Running sums make evaluating a firm cost its number of input types, not its links:
        # rem[s] = input still delivered to slot s, miss[j] = sales firm j has lost.
        n = output.size
        total_output = output.sum()
        h = np.ones(n)
        rem = slot_total.copy()
        miss = np.zeros(n)
        queued = np.zeros(n, np.bool_)
        touched_flag = np.zeros(n, np.bool_)
        queue = np.empty(n, np.int64)
        touched = np.empty(n, np.int64)
        losses = np.empty(firms.size)
        for t in range(firms.size):
            f = firms[t]
            head = 0
            size = 0
            n_touched = 0
            j = f
            d = 1.0
            while True:
                # apply the drop d of firm j to the running sums and queue its neighbours
                h[j] -= d
                if not touched_flag[j]:
                    touched_flag[j] = True
                    touched[n_touched] = j
                    n_touched += 1
                for q in range(out_ptr[j], out_ptr[j + 1]):
                    rem[out_slot[q]] -= out_value[q] * d
                    v = out_buyer[q]
                    if not queued[v] and v != f:
                        queued[v] = True
                        queue[(head + size) % n] = v
                        size += 1
                for q in range(in_ptr[j], in_ptr[j + 1]):
                    v = in_supplier[q]
                    miss[v] += in_value[q] * d
                    if not queued[v] and v != f:
                        queued[v] = True
                        queue[(head + size) % n] = v
                        size += 1
                # find the next firm whose level falls by more than eps
                d = 0.0
                while size > 0:
                    j = queue[head]
                    head = (head + 1) % n
                    size -= 1
                    queued[j] = False
                    down = 1.0
                    linear = 0.0
                    for s in range(slot_ptr[j], slot_ptr[j + 1]):
                        total = slot_total[s]
                        frac = rem[s] / total if total > 0 else 1.0
                        if slot_ess[s]:
                            if frac < down:
                                down = frac
                        else:
                            linear += slot_share[s] * (1.0 - frac)
                    if 1.0 - linear < down:
                        down = 1.0 - linear
                    up = 1.0 - miss[j] / capacity[j]
                    new = down if down < up else up
                    if new < 0.0:
                        new = 0.0
                    if h[j] - new > eps:
                        d = h[j] - new
                        break
                if d == 0.0:
                    break
            lost = 0.0
            for r in range(n_touched):
                j = touched[r]
                lost += output[j] * (1.0 - h[j])
            losses[t] = lost / total_output
            # restore the running sums and levels of everything this cascade moved
            for r in range(n_touched):
                j = touched[r]
                for q in range(out_ptr[j], out_ptr[j + 1]):
                    rem[out_slot[q]] = slot_total[out_slot[q]]
                for q in range(in_ptr[j], in_ptr[j + 1]):
                    miss[in_supplier[q]] = 0.0
                h[j] = 1.0
                touched_flag[j] = False
        return losses

    _KERNEL = cascade_losses
    return _KERNEL


def _run(c: Compiled, firms: IntArray, eps: float) -> FloatArray:
    kernel = _kernel()
    result: FloatArray = kernel(
        firms,
        eps,
        c.output,
        c.capacity,
        c.in_ptr,
        c.in_supplier,
        c.in_value,
        c.out_ptr,
        c.out_buyer,
        c.out_value,
        c.out_slot,
        c.slot_ptr,
        c.slot_total,
        c.slot_essential,
        c.slot_share,
    )
    return result


def esri_local(
    network: Network | Compiled,
    firms: IntArray | None = None,
    *,
    eps: float = 1e-10,
    threads: int | None = None,
    chunk: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> FloatArray:
    """ESRI of ``firms`` (default all) by local asynchronous cascades, on ``threads`` threads."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    c = network if isinstance(network, Compiled) else compile_network(network)
    todo = (
        np.arange(c.output.size, dtype=np.int64) if firms is None else np.asarray(firms, np.int64)
    )
    _run(c, todo[:1], eps)  # compile once before the threads start
    out = np.empty(todo.size)
    pieces = [(s, todo[s : s + chunk]) for s in range(0, todo.size, chunk)]
    done = 0
    with ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1) as pool:
        for (start, piece), losses in zip(
            pieces, pool.map(lambda p: _run(c, p[1], eps), pieces), strict=True
        ):
            out[start : start + piece.size] = losses
            done += piece.size
            if progress is not None:
                progress(done, todo.size)
    return out


def esri_spark(
    network: Network, spark: Any, *, eps: float = 1e-10, partitions: int = 8
) -> FloatArray:
    """ESRI of every firm with the firms spread over Spark executors (the network is broadcast)."""
    c = compile_network(network)
    shared = spark.sparkContext.broadcast(c)
    n = c.output.size
    bounds = np.linspace(0, n, partitions + 1).astype(int)
    ranges = [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]

    def work(part: Any) -> Any:
        for a, b in part:
            yield a, _run(shared.value, np.arange(a, b, dtype=np.int64), eps).tolist()

    out = np.empty(n)
    for a, losses in (
        spark.sparkContext.parallelize(ranges, len(ranges)).mapPartitions(work).collect()
    ):
        out[a : a + len(losses)] = losses
    return out
