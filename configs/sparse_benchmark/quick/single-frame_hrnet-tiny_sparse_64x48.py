# Quick (test-suite) version of ../single-frame_hrnet-small_sparse_128x96.py:
# the team's tiny HRNet and codec (64x48) and a short schedule, for the quick
# data (tools/run_sparse_benchmark.py --quick).
_base_ = [
    '../single-frame_hrnet-small_sparse_128x96.py',
    '../../_base_/models/hrnet_tiny_64x48.py',
]

codec = dict(
    type='MSRAHeatmap', input_size=(48, 64), heatmap_size=(12, 16), sigma=2)
model = dict(
    backbone={{_base_.tiny_hrnet}}, head=dict(in_channels=8, decoder=codec))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
sparse_labels = dict(pipeline=train_pipeline)
# the quick data is small: no worker process to start
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=sparse_labels)
test_dataloader = dict(dataset=dict(pipeline=val_pipeline))

max_iters = 100
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=10, start_factor=0.01, by_epoch=False),
    dict(
        type='CosineAnnealingLR',
        begin=10,
        end=max_iters,
        T_max=max_iters - 10,
        eta_min=2e-5,
        by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=max_iters))
