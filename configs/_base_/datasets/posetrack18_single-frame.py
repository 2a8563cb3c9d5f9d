# PoseTrack18 data for a single-frame top-down estimator (stage 1, and the
# augmentation experiment), MMEngine config fragment: MMPose's
# PoseTrack18Dataset on its COCO-style files, one labeled person per item.
# Val/test: detected boxes with score >= 0.2 as in the original (original
# test.py command: TEST.USE_GT_BBOX False, TEST.IMAGE_THRE 0.2; MMPose's
# detections match the image ids of MMPose's COCO-style PoseTrack18 JSON),
# scored by the package's poseval-equivalent AP on the per-video GT.
# Augmentation follows the original experiment config
# (w48_384x288_adam_lr1e-4.yaml DATASET: FLIP true, NUM_JOINTS_HALF_BODY 8,
# PROB_HALF_BODY 0.3, ROT_FACTOR 45, SCALE_FACTOR 0.35), as the frame pairs'
# (posetrack18_pairs.py; those pipelines load frame lists and pack the
# multi-frame meta keys, hence two fragments).
#
# A child config that changes the input size must redefine `codec` AND the
# pipelines / dataloaders that embed it (base variables are resolved here).

dataset_type = 'PoseTrack18Dataset'  # MMPose's, COCO-style PoseTrack18 JSON
data_root = 'data/posetrack18/'

# the codec of configs/_base_/models/topdown_hrnet-w48_384x288.py
codec = dict(
    type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=3)

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
        # bbox_file is not joined with data_root (MMPose behaviour)
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
