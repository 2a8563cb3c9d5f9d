# Sparse benchmark, pretraining, phase 3 of 3: iterations 23,000-33,000 of
# the shipped checkpoint's 33,000. Phase 2's last checkpoint trained on for
# 10,000 more iterations of the same stills under a third warm cosine restart
# (why more of the same: docs/experiments.md, "Pretraining: the model
# underfits"). Its last checkpoint is the shipped one.
#
#   python tools/train.py projects/sparse_benchmark/configs/pretrain_hrnet-small_synthetic-stills_128x96_phase3-iter23k-33k.py \
#       --work-dir work_dirs/pretrain_hrnet-small_synthetic-stills_128x96_continued-2
#   python tools/train.py ... --resume        # goes on from the last checkpoint
_base_ = ['./pretrain_hrnet-small_synthetic-stills_128x96_phase2-iter7k-23k.py']

# the weights (no optimiser state) where phase 2 ended, where its command
# writes them
load_from = ('work_dirs/pretrain_hrnet-small_synthetic-stills_128x96_continued/'
             'iter_16000.pth')

max_iters = 10000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
# phase 2's restart (its peak lr, 1e-3, is inherited; floor 2e-5) over this
# phase's length
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
