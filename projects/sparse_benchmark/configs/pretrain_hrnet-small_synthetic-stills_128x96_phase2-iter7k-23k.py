# Sparse benchmark, pretraining, phase 2 of 3: iterations 7,000-23,000 of the
# shipped checkpoint's 33,000. Phase 1's estimator
# (pretrain_hrnet-small_synthetic-stills_128x96_phase1-iter0-7k.py) trained
# on for 16,000 more iterations of the same stills under a warm cosine
# restart (why: docs/experiments.md, "Pretraining: the model underfits").
#
#   python tools/train.py projects/sparse_benchmark/configs/pretrain_hrnet-small_synthetic-stills_128x96_phase2-iter7k-23k.py \
#       --work-dir work_dirs/pretrain_hrnet-small_synthetic-stills_128x96_continued
#   python tools/train.py ... --resume        # goes on from the last checkpoint
#
# (The work dirs keep the names the recorded runs wrote to, the shipped
# provenance's commands: the next phase's load_from names them.)
_base_ = ['./pretrain_hrnet-small_synthetic-stills_128x96_phase1-iter0-7k.py']

# the weights (no optimiser state) of phase 1's 7000-iteration checkpoint,
# where phase 1's command writes it (the shipped file has moved on since)
load_from = ('work_dirs/pretrain_hrnet-small_synthetic-stills_128x96/'
             'iter_7000.pth')

max_iters = 16000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
# a warm restart at half phase 1's peak rate, cosine to the same floor
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
