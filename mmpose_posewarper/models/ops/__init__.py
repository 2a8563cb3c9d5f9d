from .deform_conv import (HAS_MMCV_OPS, DeformConvWarp,
                          ModulatedDeformConvWarp, TorchvisionDeformConvWarp,
                          mmcv_ops_available)
from .grid_sample_deform_conv import (GridSampleDeformConvWarp,
                                      grid_sample_deform_conv2d)

__all__ = [
    'DeformConvWarp', 'ModulatedDeformConvWarp', 'TorchvisionDeformConvWarp',
    'mmcv_ops_available', 'HAS_MMCV_OPS', 'GridSampleDeformConvWarp',
    'grid_sample_deform_conv2d'
]
