"""Same seed, same numbers: a training stage run twice gives bit-identical
weights (the generator's own determinism is tested in
tests/test_projects/test_synthetic).

Two whole quick runs take too long for the suite; together with the
generator's test, these cover every random draw of the job (the metric and
the propagation are deterministic functions of data and weights)."""
import os.path as osp

import torch

from projects.sparse_benchmark.sparse_benchmark import data as bdata
from projects.sparse_benchmark.sparse_benchmark.settings import CONFIG_DIR
from projects.sparse_benchmark.sparse_benchmark.training import (stage_config,
                                                                 train_stage)


def _train(stage, root, coco, work_dir, seed, load_from=None):
    config = dict(
        single_frame='quick/single-frame_hrnet-tiny_sparse_64x48.py',
        posewarper='quick/posewarper_hrnet-tiny_sparse_64x48.py')[stage]
    train_files = [coco] if stage == 'single_frame' else ['annotations/train/']
    cfg = stage_config(
        osp.join(CONFIG_DIR, config), str(work_dir), root, train_files,
        test_ann_file=coco, val_ann_dir=osp.join(root, 'annotations', 'val'),
        seed=seed, load_from=load_from, max_iters=3)
    cfg.train_dataloader.batch_size = 4
    ckpt = train_stage(cfg)
    return ckpt, torch.load(ckpt, map_location='cpu',
                            weights_only=False)['state_dict']


def _same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_training_stages_repeat_exactly(small_data, tmp_path):
    root = small_data[0]
    train = bdata.load_split(root, 'train')
    coco = str(tmp_path / 'train_sparse.json')
    bdata.write_coco({n: bdata.sparse_video(v, 7) for n, v in train.items()},
                     coco, people='manual')
    ckpt, first = _train('single_frame', root, coco, tmp_path / 'a', 0)
    _, again = _train('single_frame', root, coco, tmp_path / 'b', 0)
    _, other_seed = _train('single_frame', root, coco, tmp_path / 'c', 1)
    assert _same(first, again)
    assert not _same(first, other_seed)  # the seed is used at all
    # stage 2 draws supporting frames at random: same seed, same draws
    _, warp = _train('posewarper', root, coco, tmp_path / 'd', 0, ckpt)
    _, warp_again = _train('posewarper', root, coco, tmp_path / 'e', 0, ckpt)
    assert _same(warp, warp_again)
