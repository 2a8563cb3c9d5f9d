# PoseWarper stage 2: the warping module trained on (labeled frame,
# supporting frame) pairs of PoseTrack18 with the stage-1 network frozen;
# tested with temporal pose aggregation over [t, t-2, t-1, t+1, t+2].
# Hyperparameters: original experiments/posetrack/hrnet/
# w48_384x288_adam_lr1e-4_PoseWarper_train.yaml (GPUS 0-7,
# BATCH_SIZE_PER_GPU 8, END_EPOCH 20, adam, LR 1e-4, LR_STEP [10, 15],
# LR_FACTOR 0.1, TIMESTEP_DELTA_RANGE 2) and
# ..._PoseWarper_inference_temporal_pose_aggregation.yaml.
# Note: scripts/posetrack18_helper.py runs this stage with
# TRAIN.END_EPOCH 19 for the fully labeled experiment; pass
# --cfg-options train_cfg.max_epochs=19 param_scheduler.0.end=19 to match.
_base_ = [
    '../_base_/posetrack_runtime.py',
    '../_base_/models/posewarper_hrnet-w48_384x288.py',
    '../_base_/datasets/posetrack18_pairs.py'
]

train_cfg = dict(max_epochs=20, val_interval=1)  # END_EPOCH 20

# Adam, lr 1e-4, no weight decay (lib/utils/utils.py get_optimizer ignores
# the yaml's WD for adam). All parameters are handed to Adam as in the
# original; the frozen ones get no gradient and stay unchanged.
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4, weight_decay=0.))

# MultiStepLR at epochs 10 and 15, factor 0.1, no warm-up
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=20,
        milestones=[10, 15],
        gamma=0.1,
        by_epoch=True)
]

# 8 GPUs x 8 (GPUS (0,...,7), BATCH_SIZE_PER_GPU 8; the dataset base sets
# batch_size=8, supporting frame offset uniform in [-2, 2], weights (0, 1))
auto_scale_lr = dict(base_batch_size=64)

# stage 1's final checkpoint (scripts/posetrack18_helper.py: MODEL.PRETRAINED
# is the baseline's final_state.pth); PoseWarper loads its head.final_layer
# as neck.trans_layer. Converted original checkpoints also work
# (tools/convert_checkpoint.py).
load_from = 'work_dirs/posewarper_stage1_hrnet-w48_8xb16-10e_posetrack18-' \
    '384x288/epoch_10.pth'
