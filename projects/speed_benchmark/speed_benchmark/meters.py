"""Measuring instruments: multiply-accumulates, memory and paired timing."""
import resource
import statistics
import time
from collections import defaultdict
from typing import Callable, Dict


class MacCounter:
    """Multiply-accumulates of the layers with a >= 2-D ``weight`` (convs,
    deformable convs, linear), counted by forward hooks: per output element
    ``weight[0].numel()`` (``C_in / groups * kh * kw``). Bilinear sampling,
    BN, activations and additions are not counted. Counts go to the current
    :attr:`scope` and module name."""

    def __init__(self, *models) -> None:
        import torch
        self.scope = 'default'
        self.counts: Dict[str, Dict[str, int]] = defaultdict(
            lambda: defaultdict(int))
        self._handles = []
        for model in models:
            for name, module in model.named_modules():
                weight = getattr(module, 'weight', None)
                if (isinstance(weight, torch.Tensor) and weight.dim() >= 2
                        and not any(True for _ in module.children())):
                    self._handles.append(
                        module.register_forward_hook(self._hook(name)))

    def _hook(self, name: str):

        def hook(module, inputs, output):
            self.counts[self.scope][name] += (
                output.numel() * module.weight[0].numel())

        return hook

    def gmac(self, scope: str, prefix: str = '') -> float:
        return sum(v for k, v in self.counts[scope].items()
                   if k.startswith(prefix)) / 1e9

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


def rss_mb() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_paired(fns: Dict[str, Callable[[], object]],
                 repeats: int) -> Dict[str, float]:
    """Median seconds per call of each function, calls interleaved (one
    round = each function once) after one warm-up round."""
    times = defaultdict(list)
    for round_ in range(repeats + 1):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}
