"""Multi-frame data transforms (registered in mmpose's TRANSFORMS)."""
from .common_transforms import MultiFramePhotometricDistortion
from .formatting import MULTI_FRAME_META_KEYS
from .loading import LoadMultiFrameImages

__all__ = ['LoadMultiFrameImages', 'MultiFramePhotometricDistortion', 'MULTI_FRAME_META_KEYS']
