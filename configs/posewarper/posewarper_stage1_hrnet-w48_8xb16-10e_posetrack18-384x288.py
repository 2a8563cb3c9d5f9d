# PoseWarper stage 1: HRNet-W48 (COCO init) fine-tuned on PoseTrack18's
# labeled frames, one frame per item. Its checkpoint initialises stage 2
# (posewarper_stage2_hrnet-w48_8xb8-20e_posetrack18-384x288.py).
# Hyperparameters: original experiments/posetrack/hrnet/
# w48_384x288_adam_lr1e-4.yaml (GPUS 0-7, BATCH_SIZE_PER_GPU 16, END_EPOCH 10,
# adam, LR 1e-4, LR_STEP [5, 7], LR_FACTOR 0.1) and
# scripts/posetrack18_helper.py (TRAIN.END_EPOCH 10, COCO-pretrained init).
_base_ = [
    '../_base_/posetrack_runtime.py',
    '../_base_/models/topdown_hrnet-w48_384x288.py',
    # the original's augmentation, detected val boxes (score >= 0.2)
    '../_base_/datasets/posetrack18_single-frame.py'
]

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

# 8 GPUs x 16 (GPUS (0,...,7), BATCH_SIZE_PER_GPU 16; the dataset base sets
# batch_size=16)
auto_scale_lr = dict(base_batch_size=128)

# the original starts from an HRNet-W48 COCO 384x288 model
# (scripts/posetrack18_helper.py: MODEL.PRETRAINED pretrained_coco_model);
# MMPose's own one has the same architecture and keys
load_from = 'https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/' \
    'topdown_heatmap/coco/td-hm_hrnet-w48_8xb32-210e_coco-384x288-' \
    'c161b7de_20220915.pth'
