# PoseWarper stage 1 on PoseTrack17: as the PoseTrack18 config, on the
# authors' COCO-style PoseTrack17 files (17 keypoints in the PoseTrack18
# order; the original trains PoseTrack17 with NUM_JOINTS 17 too).
# Data (original README "PoseTrack17 Experiments", lib/dataset/posetrack.py):
#   annotations/posetrack17_train.json  <- supp files posetrack_train.json
#   annotations/posetrack17_val.json    <- supp files posetrack_val.json
#   annotations/posetrack17_precomputed_boxes/val_boxes.json
#   annotations/val/  per-video PoseTrack18-format GT of the val videos
#                     (PoseTrackAPMetric reads that format)
# Note: scripts/posetrack17_helper.py runs the fully labeled experiment with
# TRAIN.END_EPOCH 3 (the LR steps at 5 and 7 are then never reached) and the
# sparse-label ones with the yaml's 10 epochs at TRAIN.BATCH_SIZE_PER_GPU 8.
_base_ = ['./posewarper_stage1_hrnet-w48_8xb16-10e_posetrack18-384x288.py']

data_root = 'data/posetrack17/'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/posetrack17_train.json'))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/posetrack17_val.json',
        bbox_file=data_root +
        'annotations/posetrack17_precomputed_boxes/val_boxes.json'))
test_dataloader = val_dataloader

val_evaluator = dict(ann_dir=data_root + 'annotations/val/')
test_evaluator = val_evaluator

load_from = 'https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/' \
    'topdown_heatmap/coco/td-hm_hrnet-w48_8xb32-210e_coco-384x288-' \
    'c161b7de_20220915.pth'
