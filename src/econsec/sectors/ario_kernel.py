"""The compiled day loop of the dynamic model (see :mod:`econsec.sectors.dynamic` for the
equations; its ``reference`` kernel states the same steps per link in NumPy and the tests hold
the two equal).

Orders are never stored per link. Buyer j's orders of input k are split over the suppliers i of
k in proportion to ``W_ij ρ_i`` (``W = Z⁰`` times the open share of the link with substitution,
``ρ_i = cap_i / x⁰_i``; ``W = Z⁰``, ``ρ = 1`` without), so the order on a link is
``r_kj · W_ij ρ_i`` with one number per (input, buyer) group, ``r_kj = gap_kj / Σ_i W_ij ρ_i``.
What a group receives and what each supplier is asked for tomorrow are then one pass over the
links a day, by group, in parallel over chunks of buyers (each chunk adds its orders into its
own row of ``asked``); on the first day of a period of shocks, the orders placed under the
previous one are gathered by supplier instead. Functions are top
level, so that Numba caches them on disk."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["run_days"]


@numba.njit(cache=True, nogil=True, parallel=True)
def run_days(  # type: ignore[no-untyped-def]
    day0, days, sup_ptr, sup_group, sup_arrive_first, link_ptr, link_sup, link_weight,
    link_sent, link_arrive_first, chunk_ptr, tech, group_buyer, group_ptr, is_input, inv, finite, x0,
    final, delta, psi, tau_s, tau_a, alpha_max, substitution, priority, alpha, stock, r,
    rho_prev, x, demand_prev, record_of, record, record_va, va_share, loss, short_from, unmet,
):  # fmt: skip
    # per link, in group order: weight W = z0 (1 - cut) with substitution, else z0; sent
    # W (1 - cut); on a period's first day, what was ordered under the previous shocks arrives
    n = x0.size
    chunks = chunk_ptr.size - 1
    asked = np.zeros((chunks, n))  # orders for tomorrow, by chunk of buyers
    ordered = np.empty(n)
    demand = np.empty(n)
    cap = np.empty(n)
    x_opt = np.empty(n)
    got = np.empty(n)  # ρ_prev · q_int: what each supplier delivers per unit ordered
    rho = np.empty(n)
    for i in numba.prange(n):  # today's orders were placed under the previous shocks
        acc = 0.0
        for k in range(sup_ptr[i], sup_ptr[i + 1]):
            acc += sup_arrive_first[k] * r[sup_group[k]]
        ordered[i] = acc * rho_prev[i]
    for t in range(days):
        day = day0 + t
        if day > 1:  # overproduction reacts to the previous day's scarcity
            for i in range(n):
                d = demand_prev[i]
                scarcity = (d - x[i]) / d if d > 0 else 0.0
                if scarcity > 0:
                    alpha[i] += (alpha_max - alpha[i]) * scarcity * tau_a
                else:
                    alpha[i] += (1.0 - alpha[i]) * tau_a
                if alpha[i] < 1.0:
                    alpha[i] = 1.0
        for j in numba.prange(n):  # production, held down by the scarcest input
            demand[j] = ordered[j] + final[j]
            cap[j] = alpha[j] * (1.0 - delta[j]) * x0[j]
            x_opt[j] = min(demand[j], cap[j])
            scale = 1.0
            for g in range(group_ptr[j], group_ptr[j + 1]):
                if finite[g] and is_input[g]:
                    need = psi * inv[g] * tech[g] * x_opt[j]
                    if need > 0:
                        ratio = stock[g] / need
                        if ratio < scale:
                            scale = ratio
            x[j] = x_opt[j] * scale
            if short_from[j] < 0 and scale < 1 - 1e-3:
                short_from[j] = day
        missing = 0.0
        for i in range(n):
            if priority:
                q_int = min(1.0, x[i] / ordered[i]) if ordered[i] > 0 else 1.0
                q_final = max(x[i] - ordered[i], 0.0) / final[i] if final[i] > 0 else 1.0
            else:
                q_int = x[i] / demand[i] if demand[i] > 0 else 1.0
                q_final = q_int
            got[i] = rho_prev[i] * q_int
            rho[i] = (cap[i] / x0[i] if x0[i] > 0 else cap[i]) if substitution else 1.0
            missing += final[i] * (1.0 - min(q_final, 1.0))
            record[day, record_of[i]] += x[i]
            record_va[day, record_of[i]] += x[i] * va_share[i]
            loss[i] += x0[i] - x[i]
            demand_prev[i] = demand[i]
        unmet[day] = missing
        arrive = link_arrive_first if t == 0 else link_sent
        for c in numba.prange(chunks):  # deliveries, inventories and tomorrow's orders
            mine = asked[c]
            mine[:] = 0.0
            for j in range(chunk_ptr[c], chunk_ptr[c + 1]):
                for g in range(group_ptr[j], group_ptr[j + 1]):
                    delivered = 0.0
                    total = 0.0
                    for k in range(link_ptr[g], link_ptr[g + 1]):
                        s = link_sup[k]
                        delivered += arrive[k] * got[s]
                        total += link_weight[k] * rho[s]
                    use = tech[g] * x[j]
                    stock[g] += r[g] * delivered - use
                    gap = use
                    if finite[g]:
                        gap += max(inv[g] * tech[g] * x_opt[j] - stock[g], 0.0) * tau_s
                    rg = gap / total if total > 0 else 0.0
                    r[g] = rg
                    for k in range(link_ptr[g], link_ptr[g + 1]):
                        mine[link_sup[k]] += link_sent[k] * rg
        for i in numba.prange(n):
            acc = 0.0
            for c in range(chunks):
                acc += asked[c, i]
            rho_prev[i] = rho[i]
            ordered[i] = acc * rho[i]
