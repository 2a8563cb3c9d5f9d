"""The quality curve (propagation vs stage-1 quality) on quick data."""
import json
from dataclasses import replace

import pytest

from projects.sparse_benchmark.sparse_benchmark import BenchmarkSettings
from projects.sparse_benchmark.sparse_benchmark.quality import (
    quality_table, run_quality_curve)


def test_quality_curve_measures_each_init_once(tmp_path):
    settings = BenchmarkSettings(
        out_dir=str(tmp_path), quick=True, train_videos=2, threads=1,
        workers=1, iters=dict(single_frame=2, posewarper=2))
    result = run_quality_curve(settings, [None])
    (point, ) = result['points']
    assert point['init'] == 'scratch'
    for key in ('single_frame', 'posewarper'):
        assert 0.0 <= point[key]['total'] <= 100.0
        assert set(point[key]['by_distance']) == {'1', '2', '3'}
    assert set(result['baselines']) == {'optical_flow', 'copy_nearest'}
    assert (tmp_path / 'quality' / 'scratch' / 'posewarper').is_dir()
    # a finished point is not measured again
    again = run_quality_curve(settings, [None])
    assert again['points'] == json.loads(
        (tmp_path / 'quality.json').read_text())['points'] == [point]
    # each point names its own init: the job's pretrained checkpoint is not
    # a setting of the curve
    # (a real checkpoint: every point's weights are checked before use)
    (trained, ) = (tmp_path / 'quality' / 'scratch').glob(
        'single_frame/iter_*.pth')
    other_init = tmp_path / 'other_init.pth'
    other_init.write_bytes(trained.read_bytes())
    assert run_quality_curve(replace(settings, pretrained=str(other_init)),
                             [None])['points'] == [point]
    # a finished point is reused only for the same checkpoint bytes
    stored = json.loads((tmp_path / 'quality.json').read_text())
    stored['points'].append(
        dict(point, init='other_init', checkpoint='elsewhere/other_init.pth',
             checkpoint_sha256='0' * 64))
    (tmp_path / 'quality.json').write_text(json.dumps(stored))
    with pytest.raises(ValueError,
                       match=r"point 'other_init' was measured with "
                       r'elsewhere/other_init\.pth'):
        run_quality_curve(settings, [str(other_init)])
    stored['points'].pop()
    (tmp_path / 'quality.json').write_text(json.dumps(stored))
    # points made with other settings are not mixed with new ones
    longer = replace(settings, iters=dict(single_frame=2, posewarper=3))
    with pytest.raises(ValueError, match=r'quality\.json.*\(iters differ'):
        run_quality_curve(longer, [None])
    table = (tmp_path / 'quality.md').read_text()
    assert table == quality_table(result)
    assert '| `scratch` |' in table and 'optical_flow (no model)' in table
