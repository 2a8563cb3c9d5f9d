"""Pure-numpy evaluation functions."""
from .posetrack_ap import (POSEVAL_GROUPS, POSEVAL_JOINTS,
                           compute_ap_from_ranking, evaluate_posetrack_dirs,
                           format_table, group_metrics, points_in_polygon,
                           posetrack_ap)

__all__ = [
    'POSEVAL_GROUPS', 'POSEVAL_JOINTS', 'compute_ap_from_ranking',
    'evaluate_posetrack_dirs', 'format_table', 'group_metrics',
    'points_in_polygon', 'posetrack_ap'
]
