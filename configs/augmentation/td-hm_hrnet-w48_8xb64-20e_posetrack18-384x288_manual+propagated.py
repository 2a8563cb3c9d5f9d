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
    '../_base_/posetrack_runtime.py',
    '../_base_/models/topdown_hrnet-w48_384x288.py',
    # val/test: detected boxes, PoseTrackAPMetric on the per-video GT
    '../_base_/datasets/posetrack18_single-frame.py'
]

# outputs of tools/propagate_labels.py (--out-dir) and the image root the
# annotations' file names are relative to (--img-root)
propagation_dir = 'work_dirs/propagated/'
img_root = 'data/posetrack18/'

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
# MMPose's COCO HRNet-W48, as MMPose's PoseTrack18 recipe starts from
load_from = 'https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/' \
    'topdown_heatmap/coco/td-hm_hrnet-w48_8xb32-210e_coco-384x288-' \
    'c161b7de_20220915.pth'

# MMPose's recipe augmentation (its defaults), not the original's; the
# dataset base's codec
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size={{_base_.codec.input_size}}),
    dict(type='GenerateTarget', encoder={{_base_.codec}}),
    dict(type='PackPoseInputs')
]

# the two parts of the training set; same type, hence the same metainfo,
# which MMEngine's ConcatDataset requires
manual_labels = dict(
    type='PoseTrack18Dataset',
    data_mode='topdown',
    ann_file=propagation_dir + 'posetrack18_manual.json',
    data_prefix=dict(img=img_root),
    pipeline=train_pipeline)
propagated_labels = dict(
    manual_labels, ann_file=propagation_dir + 'posetrack18_propagated.json')

train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[manual_labels, propagated_labels]))
# MMPose's recipe: batch 32, detections with score >= 0.4
val_dataloader = dict(
    batch_size=32, dataset=dict(filter_cfg=dict(bbox_score_thr=0.4)))
test_dataloader = val_dataloader
