"""The compiled sweeps of the certified ESRI scan (see :mod:`econsec.network.systemic`, which
imports this module only when a scan runs). Top-level functions, so that Numba caches every one
of them on disk and a second run does not compile again."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["scan"]


@numba.njit(cache=True, nogil=True)
def available(h, market, strength, m):  # type: ignore[no-untyped-def]
    # the sales each market (sector) can still make at levels h, for replaceability
    out = np.zeros((m, h.shape[1]))
    for j in range(h.shape[0]):
        if market[j] >= 0:
            for c in range(h.shape[1]):
                out[market[j], c] += strength[j] * h[j, c]
    return out


@numba.njit(cache=True, nogil=True)
def evaluate(  # type: ignore[no-untyped-def]
    j, sides, h, res, down, lin, acc, miss, output, capacity, slot_ptr, slot_link_ptr,
    link_supplier, link_value, slot_total, slot_ess, slot_share, out_ptr, out_buyer, out_value,
    market, strength, avail,
):  # fmt: skip
    # res[c] = T(h)_j for every cascade c: the tightest essential input, the linear loss of
    # the non-essential ones and the lost sales, as in cascade.Propagator.step; sides 1
    # evaluates the supply side only, 2 the demand side only (each is an upper bound of T).
    # With replaceability a supplier's lost deliveries count times sigma = min(1, its sales
    # / the sales its market can still make), as in cascade.Propagator.irreplaceable.
    b = res.size
    for c in range(b):
        down[c] = 1.0
        lin[c] = 0.0
        miss[c] = 0.0
    for s in range(slot_ptr[j], slot_ptr[j + 1] if sides != 2 else slot_ptr[j]):
        for c in range(b):
            acc[c] = 0.0
        for q in range(slot_link_ptr[s], slot_link_ptr[s + 1]):
            w = link_value[q]
            supplier = link_supplier[q]
            hs = h[supplier]
            k = market[supplier]
            if k < 0:
                for c in range(b):
                    acc[c] += w * hs[c]
            else:
                for c in range(b):
                    a = avail[k, c] if avail[k, c] > 1e-10 else 1.0
                    sigma = strength[supplier] / a
                    if sigma > 1.0:
                        sigma = 1.0
                    acc[c] += w * (1.0 - sigma * (1.0 - hs[c]))
        inv = 1.0 / slot_total[s]
        if slot_ess[s]:
            for c in range(b):
                f = acc[c] * inv
                if f < down[c]:
                    down[c] = f
        else:
            share = slot_share[s]
            for c in range(b):
                lin[c] += share * (1.0 - acc[c] * inv)
    for q in range(out_ptr[j], out_ptr[j + 1] if sides != 1 else out_ptr[j]):
        w = out_value[q]
        hb = h[out_buyer[q]]
        for c in range(b):
            miss[c] += w * (1.0 - hb[c])
    inv = 1.0 / capacity[j]
    for c in range(b):
        new = down[c]
        if 1.0 - lin[c] < new:
            new = 1.0 - lin[c]
        if 1.0 - miss[c] * inv < new:
            new = 1.0 - miss[c] * inv
        res[c] = new if new > 0.0 else 0.0


@numba.njit(cache=True, nogil=True)
def lower(j, c, value, h, lost, avail, output, twin, market, strength):  # type: ignore[no-untyped-def]
    # h[j, c] <- value (below it), keeping the loss and the markets' sales up to date
    old = h[j, c]
    t = twin[j]
    if t < 0:
        lost[c] += output[j] * (old - value)
    else:  # the loss moves only below the twin's level
        other = h[t, c]
        before = old if old < other else other
        after = value if value < other else other
        lost[c] += output[j] * (before - after)
    if market[j] >= 0:
        avail[market[j], c] += strength[j] * (value - old)
    h[j, c] = value


@numba.njit(cache=True, nogil=True)
def start(f, c, h, lost, avail, output, twin, market, strength):  # type: ignore[no-untyped-def]
    # firm f's cascade in column c, whose levels are all 1
    lost[c] = 0.0
    lower(f, c, 0.0, h, lost, avail, output, twin, market, strength)
    if twin[f] >= 0:
        lower(twin[f], c, 0.0, h, lost, avail, output, twin, market, strength)


@numba.njit(cache=True, nogil=True)
def propose(c, push, shift, h, prev, y):  # type: ignore[no-untyped-def]
    # levels below h[:, c]: pushed past the predicted limit along the last sweep's change,
    # and lowered by shift
    for j in range(h.shape[0]):
        v = h[j, c] - push * (prev[j, c] - h[j, c]) - shift
        y[j, c] = v if v > 0.0 else 0.0


@numba.njit(cache=True, nogil=True)
def check(  # type: ignore[no-untyped-def]
    cols, y, upper, holds, res, down, lin, acc, miss, rounding, output, capacity, slot_ptr,
    slot_link_ptr, link_supplier, link_value, slot_total, slot_ess, slot_share, out_ptr,
    out_buyer, out_value, twin, market, strength, m,
):  # fmt: skip
    # upper[c] = the output lost at levels y; holds[c] = cols[c] and y <= G(y)
    n, b = y.shape
    upper[:] = 0.0
    for j in range(n):
        if twin[j] >= 0 and twin[j] < j:
            continue  # counted on its first row
        for c in range(b):
            low = y[j, c]
            if twin[j] >= 0 and y[twin[j], c] < low:
                low = y[twin[j], c]
            upper[c] += output[j] * (1.0 - low)
    avail_y = available(y, market, strength, m)
    holds[:] = cols
    for j in range(n):
        evaluate(
            j, 0, y, res, down, lin, acc, miss, output, capacity, slot_ptr, slot_link_ptr,
            link_supplier, link_value, slot_total, slot_ess, slot_share, out_ptr, out_buyer,
            out_value, market, strength, avail_y,
        )  # fmt: skip
        for c in range(b):
            if y[j, c] > res[c] + rounding:
                holds[c] = False


@numba.njit(cache=True, nogil=True)
def scan(  # type: ignore[no-untyped-def]
    firms, b, tol, margin, rounding, check_every, max_sweeps, order, output, capacity,
    slot_ptr, slot_link_ptr, link_supplier, link_value, slot_total, slot_ess, slot_share,
    out_ptr, out_buyer, out_value, twin, market, strength,
):  # fmt: skip
    # With twins (the published rule), a firm's loss is x (1 - min(own row, twin row)),
    # counted once, on its first row. A cascade still running after max_sweeps gets the
    # check with ever larger shifts (up to y = 0, loss 1, which always holds): its bounds.
    n = output.size
    m = market.max() + 1
    total = 0.0
    for j in range(n):
        if twin[j] < j:
            total += output[j]
    h = np.ones((n, b))  # levels from above, one column per cascade
    prev = np.ones((n, b))  # the levels before the last sweep
    y = np.ones((n, b))  # proposed levels from below
    avail0 = available(h[:, :1], market, strength, m)[:, 0]
    avail = available(h, market, strength, m)  # kept up to date with h
    column_firm = np.full(b, -1, np.int64)  # position in `firms` of each column's cascade
    column_sweeps = np.zeros(b, np.int64)
    loss = np.zeros((3, b))  # the loss after the last three sweeps
    alpha = np.zeros(b)
    wanted = np.zeros(b, np.bool_)
    holds = np.zeros(b, np.bool_)
    result = np.zeros(firms.size)
    bound = np.zeros(firms.size)
    sweeps = np.zeros(firms.size, np.int64)
    down = np.empty(b)
    lin = np.empty(b)
    acc = np.empty(b)
    miss = np.empty(b)
    res = np.empty(b)
    lost = np.zeros(b)  # output lost in each cascade, kept up to date by every update
    upper = np.zeros(b)
    started = 0
    running = 0

    for c in range(b):
        if started < firms.size:
            column_firm[c] = started
            start(firms[started], c, h, lost, avail, output, twin, market, strength)
            started += 1
            running += 1
    sweep = 0
    while running > 0:
        sweep += 1
        prev[:, :] = h
        for direction in range(2):
            for r in range(n):
                j = order[r] if direction == 0 else order[n - 1 - r]
                evaluate(
                    j, direction + 1, h, res, down, lin, acc, miss, output, capacity, slot_ptr,
                    slot_link_ptr, link_supplier, link_value, slot_total, slot_ess,
                    slot_share, out_ptr, out_buyer, out_value, market, strength, avail,
                )  # fmt: skip
                for c in range(b):
                    if res[c] < h[j, c]:
                        lower(j, c, res[c], h, lost, avail, output, twin, market, strength)
        any_wanted = False
        for c in range(b):
            wanted[c] = False
            if column_firm[c] < 0:
                continue
            column_sweeps[c] += 1
            loss[0, c] = loss[1, c]
            loss[1, c] = loss[2, c]
            loss[2, c] = lost[c] / total
            step = loss[2, c] - loss[1, c]
            before = loss[1, c] - loss[0, c]
            if column_sweeps[c] >= 2 and step <= 0.0:
                alpha[c] = 0.0
                wanted[c] = True
            elif column_sweeps[c] >= 3 and 0.0 < step < before:
                rate = step / before
                alpha[c] = (1.0 + margin) * rate / (1.0 - rate)
                wanted[c] = step * alpha[c] <= 2.0 * tol
            any_wanted = any_wanted or wanted[c]
        finished = np.zeros(b, np.bool_)
        if any_wanted and sweep % check_every == 0:
            for c in range(b):
                propose(c, alpha[c], 0.5 * tol, h, prev, y)
            check(
                wanted, y, upper, holds, res, down, lin, acc, miss, rounding, output,
                capacity, slot_ptr, slot_link_ptr, link_supplier, link_value, slot_total,
                slot_ess, slot_share, out_ptr, out_buyer, out_value, twin, market, strength, m,
            )  # fmt: skip
            for c in range(b):
                high = upper[c] / total
                if holds[c] and high - loss[2, c] <= 2.0 * tol:
                    p = column_firm[c]
                    result[p] = 0.5 * (high + loss[2, c])
                    bound[p] = 0.5 * (high - loss[2, c])
                    sweeps[p] = column_sweeps[c]
                    finished[c] = True
        for c in range(b):
            if column_firm[c] < 0 or finished[c] or column_sweeps[c] < max_sweeps:
                continue
            # out of budget: the smallest shift that the check certifies (y falls with it;
            # each level's map is 1-Lipschitz, so near a fixed point a small one holds)
            shift = 1e-15
            one = np.zeros(b, np.bool_)
            one[c] = True
            high = 1.0
            for _ in range(64):
                propose(c, 0.0, shift, h, prev, y)
                check(
                    one, y, upper, holds, res, down, lin, acc, miss, rounding, output,
                    capacity, slot_ptr, slot_link_ptr, link_supplier, link_value, slot_total,
                    slot_ess, slot_share, out_ptr, out_buyer, out_value, twin, market,
                    strength, m,
                )  # fmt: skip
                if holds[c]:
                    high = min(upper[c] / total, 1.0)
                    break
                shift *= 2.0
            p = column_firm[c]
            result[p] = 0.5 * (high + loss[2, c])
            bound[p] = 0.5 * (high - loss[2, c])
            sweeps[p] = column_sweeps[c]
            finished[c] = True
        if not finished.any():
            continue
        for c in range(b):
            if finished[c]:
                for j in range(n):
                    h[j, c] = 1.0
                avail[:, c] = avail0
                loss[:, c] = 0.0
                column_sweeps[c] = 0
                if started < firms.size:
                    column_firm[c] = started
                    start(firms[started], c, h, lost, avail, output, twin, market, strength)
                    started += 1
                else:
                    column_firm[c] = -1
                    running -= 1
    return result, bound, sweeps
