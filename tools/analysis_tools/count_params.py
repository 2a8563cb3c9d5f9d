"""Print the parameter counts of a model config, per part.

    python tools/analysis_tools/count_params.py \
        configs/_base_/models/posewarper_hrnet-w48_384x288.py

Parts: backbone, heatmap layer (the original's ``final_layer``), the warping
module (``offset_feats``, ``offset_layers``, ``deform_conv_layers``), total
and trainable (``requires_grad``; stage 2 trains only the warping module).
"""
import argparse
import sys
from typing import List, Optional

from mmengine.config import Config, DictAction


def main(argv: Optional[List[str]] = None) -> int:
    from mmpose_posewarper.utils.cli import add_input
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_input(parser, 'config', help='config file with a `model` dict')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='overrides, e.g. model.neck.deform_conv.type=PoseWarperDCNv2')
    args = parser.parse_args(argv)

    from mmpose_posewarper.apis.model import init_model
    from mmpose_posewarper.models.utils import count_parameters

    model = init_model(
        Config.fromfile(args.config), cfg_options=args.cfg_options)
    counts = count_parameters(model)
    print(f'{args.config}: {type(model).__name__}')
    for name, value in counts.items():
        indent = '    ' if '.' in name else '  '
        print(f'{indent}{name:<30s}{value:>14,d}')
    return 0


if __name__ == '__main__':
    from mmpose_posewarper.utils.cli import run_tool
    sys.exit(run_tool(main))
