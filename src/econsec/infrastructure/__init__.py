"""The review of critical-infrastructure equipment: the sectors, an operator's plan, the
statutory review period, the reviewer's decisions and the risk factors a reviewer sees
(:mod:`econsec.infrastructure.review`).

This package is the pure core of the workflow (no storage, no access decisions); the platform
wires it to organisations, the policy and the store (:mod:`econsec.app.plans`).
"""
