"""A small generated dataset with sparse labels, shared by these tests."""
import pytest

from projects.sparse_benchmark.sparse_benchmark import data as bdata
from projects.sparse_benchmark.synthetic import (SyntheticConfig,
                                                 generate_dataset)

# 2 val videos (the shuffled control needs two), 16 frames: labeled frames
# 0, 7, 14 and every unlabeled frame within 3 of one of them.
CONFIG = SyntheticConfig(num_train_videos=1, num_val_videos=2,
                         frames=(16, 16), image_size=(128, 96), people=(1, 2),
                         seed=11)


@pytest.fixture(scope='session')
def small_data(tmp_path_factory):
    """``(root, dense val videos, sparse val videos)``."""
    root = str(tmp_path_factory.mktemp('sparse_bench_data'))
    generate_dataset(root, CONFIG)
    gt = bdata.load_split(root, 'val')
    sparse = {name: bdata.sparse_video(v, 7) for name, v in gt.items()}
    return root, gt, sparse
