from .ckpt_convert import (ConversionReport, check_against, convert_checkpoint,
                           convert_state_dict, extract_state_dict,
                           has_warping_part)
from .param_count import count_parameters

__all__ = [
    'ConversionReport', 'check_against', 'convert_checkpoint',
    'convert_state_dict', 'extract_state_dict', 'has_warping_part',
    'count_parameters'
]
