"""The speed benchmark's pieces (the whole run: tests/test_apis/
test_benchmark_quick.py, through tools/benchmark.py)."""
import json
import math

import torch

from mmpose_posewarper.speed_benchmark import JSON_KEYS, parse_args
from mmpose_posewarper.speed_benchmark.meters import MacCounter, timed_paired
from mmpose_posewarper.speed_benchmark.report import nan_to_none


def test_quick_defaults_and_the_tiny_configs():
    args = parse_args(['--quick'])
    assert (args.frames, args.threads, args.repeats) == (5, 1, 1)
    assert args.config.endswith('posewarper_tiny_64x48.py')
    assert 'peak_rss_mb' in JSON_KEYS


def test_mac_counter_counts_convs_and_linears_per_scope():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Flatten(), torch.nn.Linear(4 * 5 * 5, 2))
    counter = MacCounter(model)
    counter.scope = 'a'
    model(torch.zeros(1, 3, 5, 5))
    counter.remove()
    model(torch.zeros(1, 3, 5, 5))  # not counted any more
    conv = 4 * 5 * 5 * 3 * 3 * 3
    assert math.isclose(counter.gmac('a') * 1e9, conv + 2 * 100)
    assert math.isclose(counter.gmac('a', '0') * 1e9, conv)


def test_timed_paired_runs_a_warm_up_round_and_takes_medians():
    calls = []
    times = timed_paired(dict(x=lambda: calls.append('x'),
                              y=lambda: calls.append('y')), repeats=3)
    assert calls == ['x', 'y'] * 4  # interleaved, warm-up included
    assert set(times) == {'x', 'y'} and all(t >= 0 for t in times.values())


def test_nan_becomes_null_in_the_json_line():
    value = dict(a=float('nan'), b=[1.0, float('nan')], c=dict(d='x'))
    assert json.dumps(nan_to_none(value)) == \
        '{"a": null, "b": [1.0, null], "c": {"d": "x"}}'
