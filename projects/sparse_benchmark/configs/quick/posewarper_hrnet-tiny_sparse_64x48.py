# Quick version of ../posewarper_hrnet-small_sparse_128x96.py: the tiny
# HRNet, 64x48 crops (16x12 heatmaps) and a short schedule.
# (tiny_hrnet comes with the tiny PoseWarper the base config builds on)
_base_ = ['../posewarper_hrnet-small_sparse_128x96.py']

# the tiny HRNet's codec (a Python value: the pipelines read its input_size)
codec = _base_.tiny_codec
# heatmaps a sixth of the original's 96x72: dilations shrink alike
model = dict(
    backbone={{_base_.tiny_hrnet}},
    # the test suite's tiny warping module (2 blocks of 16 channels)
    neck=dict(
        in_channels=8,
        inner_channels=16,
        res_blocks_cfg=dict(block='BASIC', num_blocks=2),
        dilations=(1, 1, 2, 3, 4)),
    head=dict(decoder=dict(codec, unbiased=True)))  # the base's DARK decoding

train_pipeline = [
    dict(type='LoadMultiFrameImages'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody', min_total_keypoints=8, prob=0.3),
    dict(type='RandomBBoxTransform', shift_prob=0., rotate_factor=45,
         scale_factor=(0.65, 1.35)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}}),
]
val_pipeline = [
    dict(type='LoadMultiFrameImages'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}}),
]
# the quick data is small: no worker process to start
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(dataset=dict(pipeline=val_pipeline))

# the rate the quick run's sanity controls were set with (the default's
# 2e-3, tuned on the pretrained small HRNet, leaves the tiny from-scratch
# one under the test's margin: docs/experiments.md, "Config comments moved
# here")
optim_wrapper = dict(optimizer=dict(lr=1e-3))

max_iters = 100
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=5, start_factor=0.01, by_epoch=False),
    dict(
        type='CosineAnnealingLR',
        begin=5,
        end=max_iters,
        T_max=max_iters - 5,
        eta_min=1e-5,
        by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=max_iters))
