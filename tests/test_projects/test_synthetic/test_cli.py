"""tools/generate_synthetic_posetrack.py, run as a user would."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2

from mmpose_posewarper.datasets.posetrack_io import load_posetrack_dir
from projects.sparse_benchmark.synthetic import SyntheticConfig

ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TOOL = osp.join(ROOT, 'tools', 'generate_synthetic_posetrack.py')


def _run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_writes_a_dataset_and_contact_sheet(tmp_path):
    out = str(tmp_path / 'syn')
    result = _run('--out', out, '--quick', '--seed', '3', '--train-videos',
                  '1', '--val-videos', '1', '--frames', '8', '8',
                  '--contact-sheet')
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary['totals']['train']['frames'] == 8
    assert summary['totals']['val']['videos'] == 1
    for split in ('train', 'val'):
        videos = load_posetrack_dir(osp.join(out, 'annotations', split),
                                    require_head_box=True)
        assert len(videos) == 1
        images = next(iter(videos.values()))['images']
        assert len(images) == 8
        assert (images[0]['width'], images[0]['height']) == \
            SyntheticConfig.quick().image_size
    sheet = cv2.imread(osp.join(out, 'contact_sheet.png'))
    assert sheet is not None and sheet.shape[0] > 100
    with open(osp.join(out, 'synthetic_manifest.json')) as f:
        assert json.load(f)['config']['seed'] == 3

    # a second run into the same directory is refused...
    again = _run('--out', out, '--quick')
    assert again.returncode == 2, again.stderr
    assert 'exists and is not empty' in again.stderr
    # ...and left as it was, with no staging folder beside it
    assert sorted(os.listdir(osp.dirname(out))) == ['syn']
    # ...unless asked to overwrite
    assert _run('--out', out, '--quick', '--train-videos', '1',
                '--val-videos', '0', '--frames', '4', '4',
                '--overwrite').returncode == 0
    assert not osp.exists(osp.join(out, 'annotations', 'val',
                                   '005001_synthetic_val.json'))
