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
written otherwise (exit code 2). MMPose 1.x checkpoints (e.g. MMPose's HRNet-W48 COCO
checkpoint) need no conversion: set them as ``load_from``.

The input's integrity is checked first (zip CRCs; a damaged, empty, text or
missing file is refused with what is wrong). The output is written to a
temporary file beside OUT and renamed over it at the end (an error, Ctrl-C
or SIGTERM leaves nothing); OUT must not be IN, and an existing OUT is
refused unless ``--overwrite``.
"""
import argparse
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
    from mmpose_posewarper.utils.cli import (add_checkpoint, add_input,
                                             add_output)
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--src', required=True, choices=('original', 'mmpose0x'),
        help='layout of the input checkpoint')
    add_checkpoint(parser, 'input', help='checkpoint to convert')
    add_output(parser, 'output', kind='file',
               help='where to write the converted one')
    add_input(
        parser, '--config', help='config whose `model` the result must load into '
        '(default: the W48 model for the detected stage)')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='replace an existing OUT (never IN itself)')
    parser.add_argument(
        '--unsafe-load', action='store_true',
        help='torch.load with weights_only=False, for trusted files that '
        'pickle more than tensors (e.g. old MMPose 0.x metadata)')
    return parser.parse_args(argv)


def load_checkpoint_file(path: str, unsafe: bool = False) -> dict:
    """The input checkpoint on CPU, tensors only unless ``unsafe``, after
    the package's integrity check (``utils.checkpoint``)."""
    from mmpose_posewarper.utils.checkpoint import (
        CheckpointNotWeightsOnlyError, load_checkpoint_file)
    try:
        return load_checkpoint_file(path, weights_only=not unsafe)
    except CheckpointNotWeightsOnlyError as e:
        # only here is --unsafe-load the right advice: the file is intact
        raise CheckpointNotWeightsOnlyError(
            e.path, e.problem + '. If you trust the file, rerun with '
            '--unsafe-load.') from None


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    from mmpose_posewarper.apis.model import init_model
    from mmpose_posewarper.models.utils import (convert_checkpoint,
                                                has_warping_part)
    from mmpose_posewarper.utils.checkpoint import (CheckpointError,
                                                    CheckpointMismatchError,
                                                    check_finite_weights)
    from mmpose_posewarper.utils.output import OutputSet

    # IN == OUT and an existing OUT are refused before anything is loaded
    output = OutputSet(
        osp.dirname(osp.abspath(args.output)),
        names=[osp.basename(args.output)],
        overwrite=args.overwrite,
        inputs=[args.input, args.config],
        option='OUT')
    checkpoint = load_checkpoint_file(args.input, args.unsafe_load)
    try:
        stage2 = has_warping_part(checkpoint, args.src)
    except TypeError as e:  # a file of something other than weights
        raise CheckpointError(
            args.input, f'{e}: not a checkpoint of model weights') from None
    config = args.config or DEFAULT_CONFIGS[stage2]
    print(f'{args.input}: {args.src} layout, '
          f'{"with" if stage2 else "without"} the warping module; '
          f'checking against the model of {config}')
    # the package's one model loader (apis/model.py), without weights: the
    # converted ones are checked against it below
    model = init_model(config)
    state_dict, report = convert_checkpoint(checkpoint, args.src,
                                            model.state_dict())
    print(report.summary())
    if not report.ok:
        # a checkpoint of another model: a bad input (exit code 2)
        raise CheckpointMismatchError(
            args.input, f'does not fit the model of {config} after '
            f'conversion from the {args.src} layout ('
            + ', '.join(f'{len(getattr(report, n))} {n}' for n in (
                'unmapped', 'missing', 'unexpected', 'shape_mismatch'))
            + '; the report above lists every key): not written')
    model.load_state_dict(state_dict, strict=True)
    # a diverged training's NaN/Inf weights are not converted
    check_finite_weights(args.input, state_dict)
    with output:
        torch.save(
            dict(
                state_dict=state_dict,
                meta=dict(
                    converted_from=args.src,
                    source_file=osp.basename(args.input),
                    config=osp.relpath(config, ROOT)
                    if config.startswith(ROOT) else config)),
            output.path(osp.basename(args.output)))
    print(f'wrote {args.output} (loads with strict=True)')
    return 0


if __name__ == '__main__':
    from mmpose_posewarper.utils.cli import run_tool
    sys.exit(run_tool(main))
