# PoseTrack18 data for PoseWarper (dataset side), MMEngine config fragment.
#
# Items: one labeled person + supporting frames (docs/architecture.md).
# Training: one supporting frame drawn from [-2, 2] at every fetch, weights
# (0, 1). Val/test: frames [t, t-2, t-1, t+1, t+2], weights
# (0.3, 0.1, 0.25, 0.25, 0.1), detected boxes with score >= 0.2 as in the
# original (TEST.IMAGE_THRE 0.2; set bbox_file=None for GT boxes).
# Augmentation follows the original experiment config
# (w48_384x288_adam_lr1e-4_PoseWarper_train.yaml: flip, half body 8 joints
# p=0.3, rotation 45, scale 0.35; no shift, no colour jitter).
#
# A child config that changes the input size must redefine `codec` AND the
# pipelines / dataloaders that embed it (base variables are resolved here).

dataset_type = 'PoseTrackFramePairDataset'
data_root = 'data/posetrack18/'

# Equal to mmpose_posewarper.datasets.MULTI_FRAME_META_KEYS (a test checks it;
# old-style configs cannot import it).
meta_keys = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index', 'ori_shape',
             'img_shape', 'input_size', 'input_center', 'input_scale', 'flip',
             'flip_direction', 'flip_indices', 'raw_ann_info', 'dataset_name',
             'frame_weights', 'frame_offsets', 'frame_idx', 'nframes', 'vid_id', 'track_id')

codec = dict(type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=3)

train_pipeline = [
    dict(type='LoadMultiFrameImages'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody', min_total_keypoints=8, prob=0.3),
    dict(type='RandomBBoxTransform', shift_prob=0., rotate_factor=45, scale_factor=(0.65, 1.35)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys=meta_keys),
]
val_pipeline = [
    dict(type='LoadMultiFrameImages'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs', meta_keys=meta_keys),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    # persistent workers: re-created workers would be re-seeded identically
    # every epoch and redraw the same supporting-frame offsets
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/train/',
        data_prefix=dict(img=''),
        frame_range=(-2, 2),
        frame_weights=(0.0, 1.0),
        # e.g. sparse_cfg=dict(mode='per_video', num_frames=1) for sparse labels
        sparse_cfg=None,
        pipeline=train_pipeline,
    ))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/val/',
        data_prefix=dict(img=''),
        # bbox_file is not joined with data_root (MMPose behaviour)
        bbox_file=data_root + 'annotations/posetrack18_precomputed_boxes/val_boxes.json',
        filter_cfg=dict(bbox_score_thr=0.2),
        frame_offsets=(0, -2, -1, 1, 2),
        frame_weights=(0.3, 0.1, 0.25, 0.25, 0.1),
        test_mode=True,
        pipeline=val_pipeline,
    ))
test_dataloader = val_dataloader

# the package's poseval-equivalent AP on the per-video ground truth
val_evaluator = dict(type='PoseTrackAPMetric', ann_dir=data_root + 'annotations/val/')
test_evaluator = val_evaluator
