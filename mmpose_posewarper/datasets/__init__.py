"""Datasets and data transforms; importing registers them in mmpose's registries."""
from .datasets import PoseTrackFramePairDataset, check_sparse_cfg, select_labeled_frames
from .transforms import (MULTI_FRAME_META_KEYS, LoadMultiFrameImages,
                         MultiFramePhotometricDistortion)

__all__ = [
    'PoseTrackFramePairDataset', 'check_sparse_cfg', 'select_labeled_frames',
    'LoadMultiFrameImages', 'MultiFramePhotometricDistortion', 'MULTI_FRAME_META_KEYS'
]
