# Sparse benchmark, pretraining (the COCO of our domain), phase 1 of 3:
# iterations 0-7,000 of the shipped checkpoint's 33,000. The single-frame
# estimator of stage 1 (same small HRNet, codec and augmentation) trained
# from random weights on densely labeled still frames of many generated
# scenes (the generator's `pretrain` split: its own seed stream, disjoint
# from every train and val video of every seed), as the paper's HRNet is
# pretrained on COCO before it is fine-tuned on PoseTrack. The main job's
# stage 1 then fine-tunes the result on the sparse labels
# (single-frame_hrnet-small_sparse_128x96.py). The cosine schedule spans
# 8,000 iterations; phase 2 goes on from its 7,000-iteration checkpoint.
#
#   python tools/train.py projects/sparse_benchmark/configs/pretrain_hrnet-small_synthetic-stills_128x96_phase1-iter0-7k.py \
#       --work-dir work_dirs/pretrain_hrnet-small_synthetic-stills_128x96
#   python tools/train.py ... --resume        # goes on from the last checkpoint
#
# The data, the three phases' commands and the export:
# docs/sparse_benchmark.md, "Pretraining"; the runs' measurements:
# docs/experiments.md. The val videos generated beside the stills (seed 0)
# are the main job's val videos: the validation every `val_interval`
# iterations is the learning curve on them.
_base_ = ['./single-frame_hrnet-small_sparse_128x96.py']

data_root = 'data/synthetic_pretrain/'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/posetrack18_pretrain.json'))
# validation: stage 1's test loader (every frame, ground-truth boxes) on the
# val videos generated beside the stills; the base does not validate, so this
# replaces its None
val_dataloader = dict(
    _base_.test_dataloader,
    _delete_=True,
    dataset=dict(
        _base_.test_dataloader.dataset,
        data_root=data_root,
        ann_file='annotations/posetrack18_val.json'))
val_evaluator = dict(
    _delete_=True,
    type='PoseTrackAPMetric', ann_dir=data_root + 'annotations/val/')
val_cfg = dict(_delete_=True)
test_dataloader = val_dataloader
test_evaluator = val_evaluator

# validation decodes as the runs that made the shipped checkpoint did (the
# plain decoder, argmax + quarter-pixel shift), so that its recorded
# learning curve reproduces; stage 1 decodes with DARK (its base)
model = dict(head=dict(decoder=dict(unbiased=False)))

max_iters = 8000
val_interval = 1000
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
# the stage-1 recipe from random weights (Adam at the base's scratch_lr,
# 2e-3, above the base's fine-tuning rate; linear warm-up, cosine decay)
# over the longer run
optim_wrapper = dict(optimizer=dict(lr=_base_.scratch_lr))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=200, start_factor=0.01, by_epoch=False),
    dict(
        type='CosineAnnealingLR',
        begin=200,
        end=max_iters,
        T_max=max_iters - 200,
        eta_min=2e-5,
        by_epoch=False)
]
# a checkpoint every 500 iterations, so an interrupted run loses little:
# `--resume` goes on from the last one
default_hooks = dict(
    # val metrics logged at their iteration (the learning curve's x)
    logger=dict(interval=100, log_metric_by_epoch=False),
    checkpoint=dict(
        # every checkpoint is kept: they are the stage-1 initialisations of
        # several strengths that `run_sparse_benchmark.py --quality` compares
        by_epoch=False, interval=500, max_keep_ckpts=-1, save_last=True,
        save_best='posetrack/AP', rule='greater'))
