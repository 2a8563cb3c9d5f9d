"""A tiny synthetic PoseTrack18-style dataset shared by the tool tests."""
import os.path as osp
import sys

import pytest

from mmpose_posewarper.synthetic import SyntheticConfig, generate_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = osp.join(
    REPO, 'configs/posewarper/tiny/posewarper_tiny_1xb4-1e_synthetic-64x48.py')
PYTHON = sys.executable
BIN = osp.dirname(sys.executable)


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


def import_tool(name: str):
    """Import ``tools/<name>.py`` as a module (tools/ is no package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        f'_tool_{name}', osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
