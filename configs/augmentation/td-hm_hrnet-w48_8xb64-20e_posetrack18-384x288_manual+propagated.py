# PoseWarper's data-augmentation experiment (paper, Sec. 5.3): a standard
# single-frame top-down HRNet-W48 trained on the manual sparse labels PLUS
# the labels PoseWarper propagated to the frames around them.
#
# 1. propagate (writes OUT_DIR/posetrack18_manual.json, the input's manual
#    labels, and OUT_DIR/posetrack18_propagated.json, the propagated ones,
#    both COCO-style as MMPose's PoseTrack18Dataset reads them):
#      python tools/propagate_labels.py configs/posewarper/<stage-2>.py \
#          <stage-2>.pth --ann-dir data/posetrack18/annotations/train \
#          --img-root data/posetrack18 --out-dir work_dirs/propagated
# 2. train on both (MMEngine's ConcatDataset):
#      python tools/train.py configs/augmentation/<this file>
#
# The schedule, pipeline and initialisation are MMPose's PoseTrack18 HRNet
# recipe (td-hm_hrnet-w48_8xb64-20e_posetrack18-384x288.py); only the
# training set differs, so a run with the manual labels alone (drop the
# second dataset) is the baseline of the comparison.
_base_ = [
    'mmpose::_base_/default_runtime.py',
    '../_base_/models/topdown_hrnet-w48_384x288.py'
]

custom_imports = dict(
    imports=['mmpose_posewarper'], allow_failed_imports=False)

# outputs of tools/propagate_labels.py (--out-dir) and the image root the
# annotations' file names are relative to (--img-root)
propagation_dir = 'work_dirs/propagated/'
img_root = 'data/posetrack18/'
# dense per-video ground truth of the validation videos
val_ann_dir = 'data/posetrack18/annotations/val/'
val_coco_file = 'data/posetrack18/annotations/posetrack18_val.json'
val_bbox_file = 'data/posetrack18/annotations/' \
    'posetrack18_val_human_detections.json'

# runtime (MMPose's PoseTrack18 recipe)
train_cfg = dict(max_epochs=20, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-4))
param_scheduler = [
    dict(
        type='LinearLR', begin=0, end=500, start_factor=0.001,
        by_epoch=False),
    dict(
        type='MultiStepLR',
        begin=0,
        end=20,
        milestones=[10, 15],
        gamma=0.1,
        by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=512)
default_hooks = dict(
    checkpoint=dict(
        save_best='posetrack/AP', rule='greater', interval=1))
# MMPose's COCO HRNet-W48, as MMPose's PoseTrack18 recipe starts from
load_from = 'https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/' \
    'topdown_heatmap/coco/td-hm_hrnet-w48_8xb32-210e_coco-384x288-' \
    'c161b7de_20220915.pth'

# the base model's codec (restated: pipelines below index into it)
codec = dict(
    type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=3)
dataset_type = 'PoseTrack18Dataset'

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

# the two parts of the training set; same type, hence the same metainfo,
# which MMEngine's ConcatDataset requires
manual_labels = dict(
    type=dataset_type,
    data_mode='topdown',
    ann_file=propagation_dir + 'posetrack18_manual.json',
    data_prefix=dict(img=img_root),
    pipeline=train_pipeline)
propagated_labels = dict(
    type=dataset_type,
    data_mode='topdown',
    ann_file=propagation_dir + 'posetrack18_propagated.json',
    data_prefix=dict(img=img_root),
    pipeline=train_pipeline)

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='ConcatDataset', datasets=[manual_labels, propagated_labels]))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_mode='topdown',
        ann_file=val_coco_file,
        bbox_file=val_bbox_file,
        filter_cfg=dict(bbox_score_thr=0.4),
        data_prefix=dict(img=img_root),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
# the package's poseval-equivalent AP on the per-video ground truth
val_evaluator = dict(type='PoseTrackAPMetric', ann_dir=val_ann_dir)
test_evaluator = val_evaluator
