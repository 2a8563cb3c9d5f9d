# Sparse benchmark, pretraining continued a second time (run 3): run 2's
# last checkpoint (23,000 iterations in all, val 56.8) trained on for 10,000
# more iterations of the same stills under a third warm cosine restart.
# Why more of the same: the estimator underfits, it does not memorise. At
# 23,000 iterations it scores 58.9 mAP on 200 of its own training stills and
# 56.8 on the val videos, and its val curve was still rising (+0.3 per 1,000
# iterations) when the second schedule ran out; more distinct stills would
# not help a model that cannot yet fit the ones it has.
#
#   python tools/train.py configs/sparse_benchmark/pretrain_hrnet-small_synthetic-stills_128x96_continued-2.py \
#       --work-dir work_dirs/pretrain_hrnet-small_synthetic-stills_128x96_continued-2
#   python tools/train.py ... --resume        # goes on from the last checkpoint
#
# About 0.4 s per iteration on 2 idle CPU cores (70 minutes).
_base_ = ['./pretrain_hrnet-small_synthetic-stills_128x96_continued.py']

# the weights (no optimiser state) where run 2 ended, where its command
# writes them
load_from = ('work_dirs/pretrain_hrnet-small_synthetic-stills_128x96_continued/'
             'iter_16000.pth')

max_iters = 10000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
# run 2's restart (its peak lr, 1e-3, is inherited; floor 2e-5) over this
# run's length
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
