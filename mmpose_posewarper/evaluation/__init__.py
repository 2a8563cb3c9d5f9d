"""Evaluation: poseval-equivalent PoseTrack AP and its MMEngine metric."""
from .functional import evaluate_posetrack_dirs, format_table, posetrack_ap
from .metrics import PoseTrackAPMetric

__all__ = [
    'evaluate_posetrack_dirs', 'format_table', 'posetrack_ap',
    'PoseTrackAPMetric'
]
