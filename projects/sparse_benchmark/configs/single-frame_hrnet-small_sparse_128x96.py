# Sparse benchmark, stage 1: the single-frame estimator. A small top-down
# HRNet (the team's tiny HRNet, 1 block per stage, widened to 16/32/64
# channels) at 128x96, fine-tuned from the shipped pretrained checkpoint (or
# trained from scratch) on the labels kept every 7th frame of the synthetic
# train videos (a COCO-style file the job writes).
#
# The job (projects/sparse_benchmark/) fills in the paths below;
# nothing here has to be edited to run it:
#   python tools/run_sparse_benchmark.py --out DIR
# Training is by iterations so that the augmentation comparison (same model,
# same iterations, more labels) differs only in its training labels.
_base_ = [
    # runtime: 300 iterations, no validation, one checkpoint, seeded
    './_base_/iter-based_runtime.py',
    '../../../configs/_base_/models/topdown_hrnet-w48_384x288.py',
    './_base_/hrnet-small_128x96.py',
]

custom_imports = dict(imports=['mmpose_posewarper'], allow_failed_imports=False)

# set by the job: data root (images' file names are relative to it), the
# training file(s) and the dense per-video ground truth of the val videos
data_root = 'data/sparse_benchmark/'
train_ann_file = 'sparse/posetrack18_train_sparse.json'
val_ann_file = 'sparse/posetrack18_val_dense.json'
val_ann_dir = 'data/sparse_benchmark/annotations/val/'

# 128x96 crops, 32x24 heatmaps (stride 4 as HRNet); sigma 2 as MMPose's
# low-resolution (e.g. 64x48 / 128x96) heatmap configs
codec = dict(
    type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
# Predictions are decoded with DARK's distribution-aware refinement (Zhang et
# al., CVPR 2020; MSRAHeatmap(unbiased=True), as MMPose's *_dark configs):
# a 32x24 heatmap pixel is 4 crop pixels, which the plain decoder's quarter-
# pixel shift resolves coarsely. Decoding only: the training targets stay
# the codec's (those the shipped checkpoint was pretrained on). Measured:
# docs/experiments.md#decoder-dark-vs-plain
dark_decoder = dict(codec, unbiased=True)
model = dict(
    backbone={{_base_.small_hrnet}},
    head=dict(in_channels=16, decoder=dark_decoder))

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

sparse_labels = dict(
    type='PoseTrack18Dataset',
    data_mode='topdown',
    data_root=data_root,
    ann_file=train_ann_file,
    data_prefix=dict(img=''),
    pipeline=train_pipeline)

# one worker prepares batches beside the model's 2 torch threads (see
# BenchmarkSettings.threads); it is seeded by MMEngine and persistent, so
# every run draws the same augmentations (a re-created worker would repeat
# its draws every epoch)
train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    # iteration-based training: an endless sampler (MMEngine pauses 2 s each
    # time a finite one runs out, i.e. every few iterations on sparse data)
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=sparse_labels)
# every val frame, ground-truth boxes: the training dataset on the val file
test_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        sparse_labels, ann_file=val_ann_file, test_mode=True,
        pipeline=val_pipeline))
# every prediction scored, no OKS NMS: the original PoseWarper's protocol
# for ground-truth boxes (one prediction per labeled person)
test_evaluator = dict(
    type='PoseTrackAPMetric', ann_dir=val_ann_dir, nms_mode='none')
val_dataloader = None
val_evaluator = None

# The job fine-tunes the shipped pretrained estimator (load_from, see
# pretrain_hrnet-small_synthetic-stills_128x96_phase*.py), which has seen
# stills only, on the videos' labels (another look, synthetic/imaging.py):
# lr 1e-3, tuned on seed 0 (docs/experiments.md, "Learning rates on the
# videos' look"). From random weights (--from-scratch, and the quick run)
# the job uses `scratch_lr`.
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
scratch_lr = 2e-3
# linear warm-up, cosine decay to the end of the run (the runtime's
# max_iters)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(
        type='CosineAnnealingLR',
        begin=50,
        end=_base_.max_iters,
        T_max=_base_.max_iters - 50,
        eta_min=2e-5,
        by_epoch=False)
]
