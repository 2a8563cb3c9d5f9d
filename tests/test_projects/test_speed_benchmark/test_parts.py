"""The speed benchmark's pieces (the whole run: tests/test_tools/
test_benchmark_quick.py, through tools/analysis_tools/benchmark.py)."""
import json
import math

import pytest
import torch

from projects.speed_benchmark.speed_benchmark import JSON_KEYS, parse_args
from projects.speed_benchmark.speed_benchmark.meters import (MacCounter,
                                                             timed_paired)
from projects.speed_benchmark.speed_benchmark.report import nan_to_none


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


# ----------------------------- tools/analysis_tools/benchmark_online.py
@pytest.mark.parametrize('args, message', [
    (['--long-clip', 'clip', '--max-frames', '5'],
     'argument --max-frames: must be >= 10 (the RSS is also read at 10% of the frames), got 5'),
    (['--long-clip', 'clip', '--max-frames', '-1'], 'argument --max-frames: must be >= 10'),
    (['--long-clip', 'clip', '--max-frames', '0'], 'argument --max-frames: must be >= 10'),
    (['--skip-accuracy'], '--skip-accuracy without --long-clip measures nothing'),
    (['--max-frames', '20'], '--max-frames limits the frames of --long-clip; give --long-clip'),
])
def test_online_benchmark_refuses_what_would_fail_or_measure_nothing(capsys, args, message):
    from projects.speed_benchmark.speed_benchmark.online import main
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert f'error: {message}' in capsys.readouterr().err


def test_online_benchmark_checks_the_long_clip_first(tmp_path, capsys):
    """A clip too short for a memory run (or none) is refused before the
    long accuracy run: exit 2, --long-clip named."""
    import cv2
    import numpy as np

    from projects.speed_benchmark.speed_benchmark import online
    from mmpose_posewarper.utils.cli import run_tool
    args = online.parse_args(['--skip-accuracy', '--long-clip', 'c', '--max-frames', '10'])
    assert args.max_frames == online.MIN_MEMORY_FRAMES == 10
    clip = tmp_path / 'clip'
    with pytest.raises(FileNotFoundError, match=r'--long-clip .*clip: no images/val folder'):
        online.long_clip_video(str(clip))
    folder = clip / 'images' / 'val' / 'v'
    folder.mkdir(parents=True)
    for t in range(5):
        cv2.imwrite(str(folder / f'{t:06d}.jpg'), np.zeros((8, 8, 3), np.uint8))
    # --run holds no trained model: the clip is checked before it is needed
    assert run_tool(online.main, ['--run', str(tmp_path / 'no_run'), '--long-clip',
                                  str(clip)]) == 2
    err = capsys.readouterr().err
    assert f'error: --long-clip {clip}: {folder} has 5 frames; a memory run needs at least ' \
        '10' in err, err
