# PoseWarper stage 2 on PoseTrack17 (see the PoseTrack18 config for the
# hyperparameters and the stage-1 PoseTrack17 config for the data layout).
# PoseTrack17 numbers frames from 1 (00000001.jpg, original README), hence
# frame_index_base=1 for the supporting-frame lookup and clipping
# (original: lib/dataset/JointsDataset.py L167-172 clips to [1, nframes]).
# Note: scripts/posetrack17_helper.py runs the fully labeled experiment with
# TRAIN.END_EPOCH 19.
_base_ = ['./posewarper_stage2_hrnet-w48_8xb8-20e_posetrack18-384x288.py']

data_root = 'data/posetrack17/'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/posetrack17_train.json',
        frame_index_base=1))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/posetrack17_val.json',
        bbox_file=data_root +
        'annotations/posetrack17_precomputed_boxes/val_boxes.json',
        frame_index_base=1))
test_dataloader = val_dataloader

val_evaluator = dict(ann_dir=data_root + 'annotations/val/')
test_evaluator = val_evaluator

load_from = 'work_dirs/posewarper_stage1_hrnet-w48_8xb16-10e_posetrack17-' \
    '384x288/epoch_10.pth'
