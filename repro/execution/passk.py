"""pass@k: the unbiased estimator of Chen et al. 2021 (Codex), in the numerically stable product form that
CodeGeeX's `metric.estimate_pass_at_k` computes."""

from __future__ import annotations

from typing import Iterable, Mapping


def estimate(n: int, c: int, k: int) -> float:
    """1 - C(n-c, k) / C(n, k) for one problem with `n` samples of which `c` passed, as a product
    (1 - prod_{i=n-c+1}^{n} (1 - k/i)) so that n = 200 does not overflow; 1 when every k-subset holds a pass."""
    if not 0 <= c <= n or k < 1 or k > n:
        raise ValueError(f"pass@{k} needs 1 <= k <= n and 0 <= c <= n (n={n}, c={c})")
    if n - c < k:
        return 1.0
    product = 1.0
    for i in range(n - c + 1, n + 1):
        product *= 1.0 - k / i
    return 1.0 - product


def pass_at_k(outcomes: Mapping[str, Iterable[bool]], ks: Iterable[int]) -> dict[str, float]:
    """{"pass@k": mean over problems, 0-100} for each k that every problem has at least k samples for."""
    counts = [(len(passed), sum(passed)) for passed in (list(p) for p in outcomes.values())]
    if not counts:
        return {}
    return {f"pass@{k}": 100.0 * sum(estimate(n, c, k) for n, c in counts) / len(counts)
            for k in sorted(set(ks)) if all(n >= k for n, _ in counts)}
