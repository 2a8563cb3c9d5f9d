from .deform_conv import (HAS_MMCV_OPS, DeformConvWarp,
                          ModulatedDeformConvWarp, TorchvisionDeformConvWarp,
                          mmcv_ops_available)

__all__ = [
    'DeformConvWarp', 'ModulatedDeformConvWarp', 'TorchvisionDeformConvWarp',
    'mmcv_ops_available', 'HAS_MMCV_OPS'
]
