"""PoseTrack datasets (registered in mmpose's DATASETS)."""
from .posetrack_pair_dataset import PoseTrackFramePairDataset
from .sparse_labels import check_sparse_cfg, select_labeled_frames

__all__ = ['PoseTrackFramePairDataset', 'check_sparse_cfg', 'select_labeled_frames']
