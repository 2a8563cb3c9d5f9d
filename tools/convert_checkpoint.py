"""Convert a PoseWarper checkpoint of the original code or of MMPose 0.x.

    python tools/convert_checkpoint.py --src original   IN.pth OUT.pth
    python tools/convert_checkpoint.py --src mmpose0x   IN.pth OUT.pth
    python tools/convert_checkpoint.py --src original   IN.pth OUT.pth \
        --config configs/posewarper/<config>.py

Checkpoints with the warping module (stage 2) are converted to this
package's ``PoseWarper`` layout, the others (stage 1) to MMPose's single-frame
top-down layout. The result is checked against the model built from
``--config`` (default: the W48 model of configs/_base_/models/ for the
detected stage): every source key is either mapped or reported, shapes must
match, and the converted state dict must load with ``strict=True``; nothing is
written otherwise. MMPose 1.x checkpoints (e.g. MMPose's HRNet-W48 COCO
checkpoint) need no conversion: set them as ``load_from``.
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIGS = {
    True: osp.join(ROOT, 'configs/_base_/models/posewarper_hrnet-w48_384x288.py'),
    False: osp.join(ROOT, 'configs/_base_/models/topdown_hrnet-w48_384x288.py'),
}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--src', required=True, choices=('original', 'mmpose0x'),
        help='layout of the input checkpoint')
    parser.add_argument('input', help='checkpoint to convert')
    parser.add_argument('output', help='where to write the converted one')
    parser.add_argument(
        '--config', help='config whose `model` the result must load into '
        '(default: the W48 model for the detected stage)')
    parser.add_argument(
        '--unsafe-load', action='store_true',
        help='torch.load with weights_only=False, for trusted files that '
        'pickle more than tensors (e.g. old MMPose 0.x metadata)')
    return parser.parse_args(argv)


def load_checkpoint_file(path: str, unsafe: bool = False) -> dict:
    """``torch.load`` on CPU, tensors only unless ``unsafe``."""
    from mmpose_posewarper.utils import allow_mmengine_checkpoints
    allow_mmengine_checkpoints()
    try:
        return torch.load(path, map_location='cpu', weights_only=not unsafe)
    except Exception as exc:  # pickle.UnpicklingError and friends
        if unsafe:
            raise
        raise SystemExit(
            f'could not load {path} with weights_only=True ({exc}). If you '
            'trust the file, rerun with --unsafe-load.') from exc


def build_model(config: str) -> torch.nn.Module:
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    import mmpose_posewarper.models  # noqa: F401
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    return MODELS.build(cfg.model)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from mmpose_posewarper.models.utils import (convert_checkpoint,
                                                has_warping_part)
    checkpoint = load_checkpoint_file(args.input, args.unsafe_load)
    stage2 = has_warping_part(checkpoint, args.src)
    config = args.config or DEFAULT_CONFIGS[stage2]
    print(f'{args.input}: {args.src} layout, '
          f'{"with" if stage2 else "without"} the warping module; '
          f'checking against the model of {config}')
    model = build_model(config)
    state_dict, report = convert_checkpoint(checkpoint, args.src,
                                            model.state_dict())
    print(report.summary())
    if not report.ok:
        print('not written: the converted state dict does not fit the model',
              file=sys.stderr)
        return 1
    model.load_state_dict(state_dict, strict=True)
    os.makedirs(osp.dirname(osp.abspath(args.output)), exist_ok=True)
    torch.save(
        dict(
            state_dict=state_dict,
            meta=dict(
                converted_from=args.src,
                source_file=osp.basename(args.input),
                config=osp.relpath(config, ROOT) if config.startswith(ROOT)
                else config)), args.output)
    print(f'wrote {args.output} (loads with strict=True)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
