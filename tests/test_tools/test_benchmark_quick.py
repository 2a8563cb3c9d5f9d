"""tools/analysis_tools/benchmark.py --quick runs end to end and ends with
its JSON line (no timing assertions: the test machine's speed is not the
product)."""
import json
import math
import os.path as osp
import subprocess
import sys

from _helpers.sample_data import POSETRACK18_FRAMES, require_sample_data

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
KEYS = ('single_frame_s', 'recompute_s', 'cached_s', 'backbone_s',
        'warp_pair_s', 'peak_rss_mb', 'dcn_mmcv_s', 'dcn_torchvision_s')


def test_benchmark_quick():
    # the tool's default --frames-dir, named (POSEWARPER_SHARED_DATA may
    # point elsewhere): ../shared/data's PoseTrack18 frames
    require_sample_data(POSETRACK18_FRAMES)
    proc = subprocess.run(
        [sys.executable, 'tools/analysis_tools/benchmark.py', '--quick',
         '--frames-dir', str(POSETRACK18_FRAMES)],
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
