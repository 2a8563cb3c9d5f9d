"""Several seeds: finished runs are reused, mean and spread summarised."""
import json

import pytest

from mmpose_posewarper.sparse_benchmark import BenchmarkSettings, run_seeds


def _fake_run(out, seed, value):
    run = out / f'seed_{seed}'
    run.mkdir(parents=True)
    (run / 'results.json').write_text(json.dumps(dict(
        propagation=dict(posewarper=value, optical_flow=50.0),
        propagation_by_distance=dict(posewarper={'1': value + 1}),
        wall_seconds=10.0 * seed)))


def test_finished_seeds_are_reused_and_summarised(tmp_path):
    for seed, value in ((0, 40.0), (1, 44.0), (2, 42.0)):
        _fake_run(tmp_path, seed, value)
    # quick: no pretrained checkpoint needed; nothing is trained here
    settings = BenchmarkSettings(out_dir=str(tmp_path), quick=True)
    out = run_seeds(settings, [0, 1, 2])
    stats = out['summary']['propagation.posewarper']
    assert stats['mean'] == 42.0 and stats['std'] == 2.0
    assert (stats['min'], stats['max']) == (40.0, 44.0)
    assert out['summary']['propagation_by_distance.posewarper.1'][
        'mean'] == 43.0
    assert out['summary']['propagation.optical_flow']['std'] == 0.0
    saved = json.loads((tmp_path / 'seeds.json').read_text())
    assert saved['seeds'] == [0, 1, 2]
    table = (tmp_path / 'seeds.md').read_text()
    assert '| `propagation.posewarper` | 40.0 | 44.0 | 42.0 | 42.0 ± 2.0 |' \
        in table
    assert 'wall_seconds' not in table


def test_cli_takes_seed_or_seeds_not_both():
    from .test_quick_run import load_tool
    tool = load_tool()
    assert tool.parse_args(['--out', 'x', '--seeds', '0', '1']).seeds == [0, 1]
    with pytest.raises(SystemExit):
        tool.parse_args(['--out', 'x', '--seed', '1', '--seeds', '0'])
    assert tool.parse_args(['--out', 'x', '--from-scratch']).from_scratch
