# Stage 1 of PoseWarper: a single-frame top-down HRNet-W48 whose heatmap
# layer is a 1x1 conv on the 48-channel branch, as the original's pose_hrnet
# (original: lib/models/pose_hrnet.py L351-357, FINAL_CONV_KERNEL: 1).
# Its checkpoint initialises stage 2 (PoseWarper moves head.final_layer.* to
# neck.trans_layer.* on load).

# original: experiments/posetrack/hrnet/w48_384x288_adam_lr1e-4.yaml
# IMAGE_SIZE [288, 384], HEATMAP_SIZE [72, 96], SIGMA 3 (MMPose sizes are w, h)
heatmap_codec = dict(
    type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=3)

# HRNet-W48 (original yaml MODEL.EXTRA.STAGE2-4; stem/stage 1 fixed in
# lib/models/pose_hrnet.py: 4 Bottlenecks of 64 channels)
hrnet_w48 = dict(
    type='HRNet',
    in_channels=3,
    extra=dict(
        stage1=dict(
            num_modules=1,
            num_branches=1,
            block='BOTTLENECK',
            num_blocks=(4, ),
            num_channels=(64, )),
        stage2=dict(
            num_modules=1,
            num_branches=2,
            block='BASIC',
            num_blocks=(4, 4),
            num_channels=(48, 96)),
        stage3=dict(
            num_modules=4,
            num_branches=3,
            block='BASIC',
            num_blocks=(4, 4, 4),
            num_channels=(48, 96, 192)),
        stage4=dict(
            num_modules=3,
            num_branches=4,
            block='BASIC',
            num_blocks=(4, 4, 4, 4),
            num_channels=(48, 96, 192, 384))))

# ImageNet mean/std on RGB (original: tools/train.py transforms.Normalize,
# DATASET.COLOR_RGB: true); MMPose loads BGR, hence bgr_to_rgb.
topdown_data_preprocessor = dict(
    type='PoseDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)

# Keypoint MSE with target weights. The original's JointsMSELoss is
# 0.5 * mean((w * (pred - gt))^2) (original: lib/core/loss.py L21-35);
# KeypointMSELoss computes mean(w * (pred - gt)^2), equal for 0/1 weights
# with loss_weight=0.5.
heatmap_loss = dict(type='KeypointMSELoss', use_target_weight=True, loss_weight=0.5)

# original yaml TEST: FLIP_TEST false, SHIFT_HEATMAP true, POST_PROCESS true
# (MSRAHeatmap's decode applies the same quarter-pixel refinement)
heatmap_test_cfg = dict(flip_test=False, flip_mode='heatmap', shift_heatmap=True)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=topdown_data_preprocessor,
    backbone=hrnet_w48,
    head=dict(
        type='HeatmapHead',
        in_channels=48,
        out_channels=17,
        deconv_out_channels=None,
        final_layer=dict(kernel_size=1),
        loss=heatmap_loss,
        decoder=heatmap_codec),
    test_cfg=heatmap_test_cfg)
