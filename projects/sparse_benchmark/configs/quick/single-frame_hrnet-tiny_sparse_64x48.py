# Quick (test-suite) version of ../single-frame_hrnet-small_sparse_128x96.py:
# the team's tiny HRNet and codec (64x48) and a short schedule, for the quick
# data (tools/run_sparse_benchmark.py --quick).
_base_ = [
    '../single-frame_hrnet-small_sparse_128x96.py',
    # the tiny HRNet, its codec and MMPose's pipelines at 64x48
    '../../../../configs/_base_/pipelines/topdown_64x48.py',
]

codec = {{_base_.tiny_codec}}
model = dict(
    backbone={{_base_.tiny_hrnet}},
    # the tiny codec's sizes; the base's DARK decoding (unbiased=True)
    # merges through
    head=dict(in_channels=8, decoder=codec))

# stage 1's pipelines (MMPose's default augmentation) with the tiny codec
train_pipeline = {{_base_.tiny_train_pipeline}}
val_pipeline = {{_base_.tiny_val_pipeline}}
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
