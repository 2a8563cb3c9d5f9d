# Stage 2 of PoseWarper: HRNet-W48 + heatmap layer (frozen) + warping module.
_base_ = ['./topdown_hrnet-w48_384x288.py']

model = dict(
    _delete_=True,
    type='PoseWarper',
    # stage 2 trains only the warping module (original: lib/models/
    # pose_hrnet.py L695-783, FREEZE_WEIGHTS: true). frozen_bn_mode='train'
    # is the original's behaviour: requires_grad=False but model.train(), so
    # the frozen HRNet's BN layers normalise with batch statistics and keep
    # updating their running stats. 'eval' is MMPose 0.x's frozen_stages=4.
    freeze_backbone=True,
    frozen_bn_mode='train',
    data_preprocessor=dict(
        type='MultiFramePoseDataPreprocessor',
        mean={{_base_.topdown_data_preprocessor.mean}},
        std={{_base_.topdown_data_preprocessor.std}},
        bgr_to_rgb=True),
    backbone={{_base_.hrnet_w48}},
    neck=dict(
        type='PoseWarperWarpingNeck',
        in_channels=48,
        out_channels=17,
        # original: inner_ch = 128, 20 BasicBlocks (pose_hrnet.py L362-365)
        inner_channels=128,
        res_blocks_cfg=dict(block='BASIC', num_blocks=20),
        # original: one deform group per joint, dilations 3/6/12/18/24,
        # 3x3 offset and deformable convs (pose_hrnet.py L368-382)
        deform_groups=17,
        dilations=(3, 6, 12, 18, 24),
        offsets_kernel=3,
        deform_conv_kernel=3,
        # original: final_layer is a 1x1 conv (FINAL_CONV_KERNEL: 1), frozen
        trans_conv_kernel=1,
        freeze_trans_layer=True,
        # original: the warping module's BN layers train normally
        norm_eval=False,
        # original: im2col_step=80 (lib/deform_conv/functions/deform_conv.py)
        im2col_step=80,
        # original DCNv1; 'PoseWarperDCNv2' for the modulated variant
        deform_conv=dict(type='PoseWarperDCNv1')),
    # the neck's output is the heatmap: no deconv, identity final layer
    head=dict(
        type='HeatmapHead',
        in_channels=17,
        out_channels=17,
        deconv_out_channels=None,
        final_layer=None,
        loss={{_base_.heatmap_loss}},
        decoder={{_base_.heatmap_codec}}),
    test_cfg={{_base_.heatmap_test_cfg}})

# stage 2 starts from stage-1 weights (load_from): all but the warping neck,
# which starts from its initialisation (the load check allows exactly this)
load_from_new_weights = ['neck.']
