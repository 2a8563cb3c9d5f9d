# MMPose's top-down pipelines with its default augmentation (flip, half body,
# box scale and rotation), at the tiny model's 64x48 input
# (../models/hrnet_tiny_64x48.py, inherited here): the training and val
# pipelines of the tiny augmentation config and the quick single-frame
# config, whose bases state the same steps at 384x288 and 128x96.
# Named tiny_* so that a config can inherit them beside a base that has
# pipelines of its own; it takes them with {{_base_.tiny_train_pipeline}}.
_base_ = ['../models/hrnet_tiny_64x48.py']

tiny_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size={{_base_.tiny_codec.input_size}}),
    dict(type='GenerateTarget', encoder={{_base_.tiny_codec}}),
    dict(type='PackPoseInputs')
]
tiny_val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size={{_base_.tiny_codec.input_size}}),
    dict(type='PackPoseInputs')
]
