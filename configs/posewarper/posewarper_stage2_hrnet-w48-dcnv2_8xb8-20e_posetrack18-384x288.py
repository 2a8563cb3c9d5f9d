# Variant of stage 2 with modulated deformable convolutions (DCNv2, not in
# the original): the offset convs also predict one mask logit per sampling
# point, mask = 2 * sigmoid(logit), so the warp is still the identity at init.
_base_ = ['./posewarper_stage2_hrnet-w48_8xb8-20e_posetrack18-384x288.py']

model = dict(neck=dict(deform_conv=dict(type='PoseWarperDCNv2')))
