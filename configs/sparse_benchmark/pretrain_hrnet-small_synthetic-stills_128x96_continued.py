# Sparse benchmark, pretraining continued (run 2): run 1's estimator
# (pretrain_hrnet-small_synthetic-stills_128x96.py: 7000 iterations on the
# 4,000 generated stills, val 50.4) trained on for 16,000 more iterations of
# the same stills under a second, longer cosine schedule. The first run's
# curve was still rising when its schedule ran out (47.3 / 49.8 / 50.4 at
# 5k / 6k / 7k); the job's goal is a single-frame estimator of >= 60 mAP on
# the val videos, and the main job's numbers follow stage 1
# (docs/experiments.md, "What limits PoseWarper").
#
#   python tools/train.py configs/sparse_benchmark/pretrain_hrnet-small_synthetic-stills_128x96_continued.py \
#       --work-dir work_dirs/pretrain_hrnet-small_synthetic-stills_128x96_continued
#   python tools/train.py ... --resume        # goes on from the last checkpoint
#
# About 0.7 s per iteration on one CPU thread (3+ hours on 2 cores, so it
# checkpoints every 500 iterations and resumes); minutes on a GPU.
_base_ = ['./pretrain_hrnet-small_synthetic-stills_128x96.py']

# the weights (no optimiser state) of run 1's 7000-iteration checkpoint, where
# run 1's command writes it (run 2 started from its export, the same
# weights, shipped then; the shipped file has moved on since)
load_from = ('work_dirs/pretrain_hrnet-small_synthetic-stills_128x96/'
             'iter_7000.pth')

max_iters = 16000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
# a warm restart at half the first run's peak rate, cosine to the same floor
optim_wrapper = dict(optimizer=dict(lr=1e-3))
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
