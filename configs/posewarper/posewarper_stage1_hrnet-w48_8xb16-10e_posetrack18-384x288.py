# PoseWarper stage 1: HRNet-W48 (COCO init) fine-tuned on PoseTrack18's
# labeled frames, one frame per item. Its checkpoint initialises stage 2
# (posewarper_stage2_hrnet-w48_8xb8-20e_posetrack18-384x288.py).
# Hyperparameters: original experiments/posetrack/hrnet/
# w48_384x288_adam_lr1e-4.yaml (GPUS 0-7, BATCH_SIZE_PER_GPU 16, END_EPOCH 10,
# adam, LR 1e-4, LR_STEP [5, 7], LR_FACTOR 0.1) and
# scripts/posetrack18_helper.py (TRAIN.END_EPOCH 10, COCO-pretrained init).
_base_ = [
    'mmpose::_base_/default_runtime.py',
    '../_base_/models/topdown_hrnet-w48_384x288.py'
]

custom_imports = dict(
    imports=['mmpose_posewarper'],
    allow_failed_imports=False)

# runtime
train_cfg = dict(max_epochs=10, val_interval=1)  # END_EPOCH 10

# Adam, lr 1e-4. The yaml's WD 0.0001 is not used: lib/utils/utils.py
# get_optimizer builds optim.Adam(model.parameters(), lr=cfg.TRAIN.LR).
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4, weight_decay=0.))

# MultiStepLR at epochs 5 and 7, factor 0.1, no warm-up (tools/train.py)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=10,
        milestones=[5, 7],
        gamma=0.1,
        by_epoch=True)
]

# 8 GPUs x 16 (GPUS (0,...,7), BATCH_SIZE_PER_GPU 16)
auto_scale_lr = dict(base_batch_size=128)

default_hooks = dict(
    checkpoint=dict(save_best='posetrack/AP', rule='greater', interval=1))

# the original starts from an HRNet-W48 COCO 384x288 model
# (scripts/posetrack18_helper.py: MODEL.PRETRAINED pretrained_coco_model);
# MMPose's own one has the same architecture and keys
load_from = 'https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/' \
    'topdown_heatmap/coco/td-hm_hrnet-w48_8xb32-210e_coco-384x288-' \
    'c161b7de_20220915.pth'

# the base model's codec (restated: the pipelines index into it)
codec = dict(
    type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=3)
dataset_type = 'PoseTrack18Dataset'  # MMPose's, COCO-style PoseTrack18 JSON
data_root = 'data/posetrack18/'

# original yaml DATASET: FLIP true, NUM_JOINTS_HALF_BODY 8, PROB_HALF_BODY
# 0.3, ROT_FACTOR 45, SCALE_FACTOR 0.35 (same as the stage-2 pipeline of
# configs/_base_/datasets/posetrack18_pairs.py)
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody', min_total_keypoints=8, prob=0.3),
    dict(
        type='RandomBBoxTransform',
        shift_prob=0.,
        rotate_factor=45,
        scale_factor=(0.65, 1.35)),
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

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode='topdown',
        ann_file='annotations/posetrack18_train.json',
        data_prefix=dict(img=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode='topdown',
        ann_file='annotations/posetrack18_val.json',
        # detected boxes with score >= 0.2 (original test.py command:
        # TEST.USE_GT_BBOX False, TEST.IMAGE_THRE 0.2); MMPose's detections
        # match the image ids of MMPose's COCO-style PoseTrack18 JSON
        bbox_file=data_root +
        'annotations/posetrack18_val_human_detections.json',
        filter_cfg=dict(bbox_score_thr=0.2),
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='PoseTrackAPMetric', ann_dir=data_root + 'annotations/val/')
test_evaluator = val_evaluator
