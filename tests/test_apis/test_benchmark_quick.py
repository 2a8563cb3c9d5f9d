"""tools/analysis_tools/benchmark.py --quick runs end to end and ends with
its JSON line (no timing assertions: the test machine's speed is not the
product)."""
import json
import math
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FRAMES_DIR = osp.join(ROOT, '..', 'shared', 'data', 'posetrack18', 'videos',
                      '000001_mpiinew_test')
KEYS = ('single_frame_s', 'recompute_s', 'cached_s', 'backbone_s',
        'warp_pair_s', 'peak_rss_mb', 'dcn_mmcv_s', 'dcn_torchvision_s')


def test_benchmark_quick():
    if not osp.isdir(FRAMES_DIR):
        pytest.skip(f'sample frames missing: {FRAMES_DIR}')
    proc = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--quick'],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert any(line.startswith('(c) cached') for line in lines)  # the table
    result = json.loads(lines[-1])
    for key in KEYS:
        assert key in result, key
    for key in KEYS[:5] + KEYS[6:]:
        assert isinstance(result[key], float) and result[key] > 0, key
    assert set(result['peak_rss_mb']) >= {'single', 'recompute', 'cached'}
    assert all(v > 0 for v in result['peak_rss_mb'].values())
    # the counted MACs: the cached path skips work the recompute path does
    gmac = result['gmac']
    assert 0 < gmac['cached'] < gmac['recompute']
    assert math.isclose(
        gmac['warp_pair'],
        gmac['warp_offset_feats'] + gmac['warp_offset_convs'] +
        gmac['warp_deform_convs'], rel_tol=1e-6)
    # the rewrites measured below the floor keep the results
    assert result['fused_max_err'] < 1e-4
    assert result['dcn_max_err'] < 1e-4
    assert result['zero_diff_warp_max_err'] < 1e-5
