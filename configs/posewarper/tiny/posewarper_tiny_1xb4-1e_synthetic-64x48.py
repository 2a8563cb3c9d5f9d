# A complete, runnable stage-2 training config at toy size, for CPU smoke
# runs and the tool tests (tools/train.py, tools/test.py, mim, torchrun,
# --resume). It trains the tiny PoseWarper on the synthetic PoseTrack18-style
# videos of tools/generate_synthetic_posetrack.py:
#
#   python tools/generate_synthetic_posetrack.py --quick --out data/synthetic
#   python tools/train.py configs/posewarper/tiny/posewarper_tiny_1xb4-1e_synthetic-64x48.py
#
# Model, data pipeline and metric are the real ones; only sizes shrink.
_base_ = [
    'mmpose::_base_/default_runtime.py',
    '../../_base_/datasets/posetrack18_pairs.py',
    './posewarper_tiny_64x48.py',
]

custom_imports = dict(imports=['mmpose_posewarper'], allow_failed_imports=False)

data_root = 'data/synthetic/'
# the tiny model's codec (configs/_base_/models/hrnet_tiny_64x48.py); the
# pipelines name it, the base's embed the W48 one
codec = {{_base_.tiny_codec}}

train_pipeline = [
    dict(type='LoadMultiFrameImages'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='TopdownAffine', input_size={{_base_.tiny_codec.input_size}}),
    dict(type='GenerateTarget', encoder={{_base_.tiny_codec}}),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}}),
]
val_pipeline = [
    dict(type='LoadMultiFrameImages'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size={{_base_.tiny_codec.input_size}}),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}}),
]

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/train/',
        # labels kept on every 7th frame, as in the sparse benchmark
        sparse_cfg=dict(_delete_=True, mode='every_k', k=7, phase=0),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/val/',
        bbox_file=None,
        pipeline=val_pipeline))
test_dataloader = val_dataloader

# the base's metric on this data root's ground truth
val_evaluator = dict(ann_dir=data_root + 'annotations/val/')
test_evaluator = val_evaluator

train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = []
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=1, save_best=None))
randomness = dict(seed=0)
# multi-process smoke runs end with a check that all ranks hold equal weights
custom_hooks = [dict(type='RankConsistencyHook')]
