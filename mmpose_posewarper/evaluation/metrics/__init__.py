"""Metrics; importing registers them in ``mmpose.registry.METRICS``."""
from .posetrack_ap_metric import PoseTrackAPMetric

__all__ = ['PoseTrackAPMetric']
