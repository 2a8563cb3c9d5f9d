"""The shared dataset config fragment builds and matches the code constants."""
from mmengine.config import Config

from mmpose_posewarper.datasets import MULTI_FRAME_META_KEYS

from ._helpers import REPO_ROOT, build_dataset

CFG = REPO_ROOT / 'configs' / '_base_' / 'datasets' / 'posetrack18_pairs.py'


def test_meta_keys_match_constant():
    cfg = Config.fromfile(str(CFG))
    assert tuple(cfg.meta_keys) == MULTI_FRAME_META_KEYS
    for pipe in (cfg.train_pipeline, cfg.val_pipeline):
        assert pipe[-1]['meta_keys'] == MULTI_FRAME_META_KEYS
    assert cfg.train_dataloader.persistent_workers


def test_config_datasets_build_on_sample_data(posetrack18_data):
    cfg = Config.fromfile(str(CFG))
    train = cfg.train_dataloader.dataset
    train.update(data_root=str(posetrack18_data), ann_file='annotations/val/', pipeline=[])
    ds = build_dataset(train.to_dict())
    assert len(ds) == 14 and len(ds.get_data_info(0)['img_path']) == 2

    val = cfg.val_dataloader.dataset
    val.update(data_root=str(posetrack18_data),
               bbox_file=str(posetrack18_data /
                             'annotations/test_posetrack18_human_detections.json'),
               pipeline=[])
    ds = build_dataset(val.to_dict())
    assert len(ds) > 0 and len(ds.get_data_info(0)['img_path']) == 5
    assert min(float(ds.get_data_info(i)['bbox_score'][0]) for i in range(len(ds))) >= 0.2
