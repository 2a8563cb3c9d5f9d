"""A tiny synthetic PoseTrack18-style dataset shared by the tool tests, and
the command-line scripts they run (tools/, tools/analysis_tools/, demo/;
more helpers of the tool tests: tests/_helpers/jobs.py)."""
import glob
import os.path as osp
import sys

import pytest

from projects.sparse_benchmark.synthetic import (SyntheticConfig,
                                                 generate_dataset)

from _helpers.jobs import import_tool  # noqa: F401  (the tool tests' import)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = osp.join(
    REPO, 'configs/posewarper/tiny/posewarper_tiny_1xb4-1e_synthetic-64x48.py')
PYTHON = sys.executable
BIN = osp.dirname(sys.executable)
#: every command-line script, as a path from the repository root, found by
#: listing its folders (MMPose's places: tools/, tools/analysis_tools/,
#: demo/); the deprecated forwarders of moved scripts
#: (``utils.cli.MOVED_SCRIPTS``) included
SCRIPTS = sorted(
    osp.relpath(path, REPO).replace(osp.sep, '/')
    for pattern in ('tools/*.py', 'tools/analysis_tools/*.py', 'demo/*.py')
    for path in glob.glob(osp.join(REPO, *pattern.split('/'))))


@pytest.fixture(scope='session')
def tiny_posetrack(tmp_path_factory) -> str:
    """2 train + 1 val videos of 8 frames; labels kept on frames 0 and 7."""
    root = str(tmp_path_factory.mktemp('synthetic'))
    generate_dataset(
        root,
        SyntheticConfig(
            num_train_videos=2,
            num_val_videos=1,
            frames=(8, 8),
            image_size=(96, 72),
            people=(1, 1),
            clutter=(1, 1),
            seed=1))
    return root


def data_options(root: str) -> list:
    """``--cfg-options`` pointing the tiny config at ``root``."""
    root = root.rstrip('/') + '/'
    return [
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}',
        f'val_evaluator.ann_dir={root}annotations/val/',
        f'test_evaluator.ann_dir={root}annotations/val/',
    ]
