"""Generate a synthetic PoseTrack18-format video dataset.

    python tools/generate_synthetic_posetrack.py --out data/synthetic
    python tools/generate_synthetic_posetrack.py --out /tmp/syn --quick --seed 3
    # pretraining stills (see configs/sparse_benchmark/pretrain_*.py)
    python tools/generate_synthetic_posetrack.py --out data/synthetic_pretrain \
        --train-videos 0 --pretrain-videos 3000 --workers 2

Writes ``DIR/images/{train,val,pretrain}/<video>/*.jpg``,
``DIR/annotations/{train,val,pretrain}/<video>.json`` (official per-video
format, every frame labeled), one COCO-style file per split,
``DIR/annotations/posetrack18_<split>.json`` (the layout MMPose's
``PoseTrack18Dataset`` reads), ``DIR/synthetic_manifest.json`` and, with
``--contact-sheet``, ``DIR/contact_sheet.png`` (first val video).
"""
import argparse
import json
import os.path as osp
import sys

import cv2

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmpose_posewarper.sparse_benchmark.data import \
    write_split_coco_files  # noqa: E402
from mmpose_posewarper.synthetic import (SyntheticConfig,  # noqa: E402
                                         generate_dataset, video_name,
                                         video_contact_sheet)
from mmpose_posewarper.utils.cli import run_tool  # noqa: E402
from mmpose_posewarper.utils.output import OutputSet  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='dataset directory')
    parser.add_argument('--quick', action='store_true',
                        help='small dataset: 4+2 videos, 20 frames, 160x120')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train-videos', type=int, help='override the size')
    parser.add_argument('--val-videos', type=int, help='override the size')
    parser.add_argument('--frames', type=int, nargs=2, metavar=('MIN', 'MAX'),
                        help='range of video lengths')
    parser.add_argument('--pretrain-videos', type=int,
                        help='short clips of the pretrain split (stills for '
                        'pretraining; default none)')
    parser.add_argument('--pretrain-frames', type=int, nargs=2,
                        metavar=('MIN', 'MAX'),
                        help='range of the pretrain clips\' lengths')
    parser.add_argument('--size', type=int, nargs=2, metavar=('W', 'H'),
                        help='frame size in pixels')
    parser.add_argument('--workers', type=int, default=1,
                        help='parallel processes (output does not depend on it)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a non-empty --out as a whole')
    parser.add_argument('--contact-sheet', action='store_true',
                        help='also write DIR/contact_sheet.png')
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> SyntheticConfig:
    config = (SyntheticConfig.quick(args.seed) if args.quick else
              SyntheticConfig(seed=args.seed))
    overrides = {}
    if args.train_videos is not None:
        overrides['num_train_videos'] = args.train_videos
    if args.val_videos is not None:
        overrides['num_val_videos'] = args.val_videos
    if args.frames is not None:
        overrides['frames'] = tuple(args.frames)
    if args.size is not None:
        overrides['image_size'] = tuple(args.size)
    if args.pretrain_videos is not None:
        overrides['num_pretrain_videos'] = args.pretrain_videos
    if args.pretrain_frames is not None:
        overrides['pretrain_frames'] = tuple(args.pretrain_frames)
    return SyntheticConfig(**{**config.__dict__, **overrides})


def main(argv=None) -> int:
    args = parse_args(argv)
    config = build_config(args)
    # the dataset is one output set: written beside --out and moved into
    # place complete; an interruption leaves --out as it was
    output = OutputSet(args.out, overwrite=args.overwrite, option='--out')
    with output:
        root = output.path()
        manifest = generate_dataset(root, config, workers=args.workers)
        write_split_coco_files(root)
        if args.contact_sheet and config.num_val_videos > 0:
            name, _ = video_name('val', 0)
            sheet = video_contact_sheet(
                root, osp.join(root, 'annotations', 'val', f'{name}.json'))
            cv2.imwrite(osp.join(root, 'contact_sheet.png'), sheet)
    print(json.dumps(dict(out=args.out, totals=manifest['totals'],
                          seconds=manifest['generation_seconds'])))
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))
