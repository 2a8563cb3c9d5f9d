"""Generate a synthetic PoseTrack18-format video dataset.

    python tools/generate_synthetic_posetrack.py --out data/synthetic
    python tools/generate_synthetic_posetrack.py --out /tmp/syn --quick --seed 3
    # pretraining stills (see projects/sparse_benchmark/configs/pretrain_*.py)
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

from mmpose_posewarper.utils.cli import (add_output,  # noqa: E402
                                         check_range_pair, int_at_least,
                                         run_tool)
from mmpose_posewarper.utils.output import OutputSet  # noqa: E402
from projects.sparse_benchmark.sparse_benchmark.data import \
    write_split_coco_files  # noqa: E402
from projects.sparse_benchmark.synthetic import (  # noqa: E402
    SyntheticConfig, generate_dataset, video_contact_sheet, video_name)
from projects.sparse_benchmark.synthetic.generator import WARDROBES  # noqa: E402
from projects.sparse_benchmark.synthetic.imaging import LOOKS  # noqa: E402


#: the smallest frame the generator renders (width and height, pixels)
MIN_SIZE = 32


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    count = int_at_least(0)
    length = int_at_least(1, 'a video has at least one frame')
    add_output(parser, '--out', required=True, help='dataset directory')
    parser.add_argument('--quick', action='store_true',
                        help='small dataset: 4+2 videos, 20 frames, 160x120')
    parser.add_argument('--seed', type=int_at_least(0), default=0)
    parser.add_argument('--train-videos', type=count,
                        help='override the size')
    parser.add_argument('--val-videos', type=count, help='override the size')
    parser.add_argument('--frames', type=length, nargs=2,
                        metavar=('MIN', 'MAX'),
                        help='range of video lengths (1 <= MIN <= MAX)')
    parser.add_argument('--pretrain-videos', type=count,
                        help='short clips of the pretrain split (stills for '
                        'pretraining; default none)')
    parser.add_argument('--pretrain-frames', type=length, nargs=2,
                        metavar=('MIN', 'MAX'),
                        help='range of the pretrain clips\' lengths '
                        '(1 <= MIN <= MAX)')
    size = int_at_least(
        MIN_SIZE, f'the smallest frame rendered is {MIN_SIZE}x{MIN_SIZE}')
    parser.add_argument('--size', type=size, nargs=2, metavar=('W', 'H'),
                        help=f'frame size in pixels (at least {MIN_SIZE} '
                        'each)')
    parser.add_argument('--workers', type=int_at_least(1), default=1,
                        help='parallel processes (output does not depend on it)')
    parser.add_argument(
        '--look', choices=LOOKS, default='video',
        help='how the train and val videos are imaged (the pretrain split '
        'always has the stills\' look): "video" (default since 2026-12-07) '
        'or "stills" (as the pretraining stills; the videos before then)')
    parser.add_argument(
        '--wardrobe', choices=WARDROBES, default='suits',
        help='what the train and val videos\' people wear (the pretrain '
        'split always wears the stills\' clothes): "suits" (default), '
        'one-piece suits, or "stills" (the videos before 2026-12-07\'s '
        'suits)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a non-empty --out as a whole')
    parser.add_argument('--contact-sheet', action='store_true',
                        help='also write DIR/contact_sheet.png (of the first '
                        'val video)')
    args = parser.parse_args(argv)
    check_range_pair(parser, '--frames', args.frames)
    check_range_pair(parser, '--pretrain-frames', args.pretrain_frames)
    config = build_config(args)
    if config.num_train_videos + config.num_val_videos + \
            config.num_pretrain_videos == 0:
        parser.error('--train-videos, --val-videos and --pretrain-videos '
                     'are all 0: nothing to generate')
    if args.contact_sheet and config.num_val_videos == 0:
        parser.error('--contact-sheet draws the first val video, but '
                     '--val-videos is 0')
    return args


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
    overrides['look'] = args.look
    overrides['wardrobe'] = args.wardrobe
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
        if args.contact_sheet:
            name, _ = video_name('val', 0)
            sheet = video_contact_sheet(
                root, osp.join(root, 'annotations', 'val', f'{name}.json'))
            cv2.imwrite(osp.join(root, 'contact_sheet.png'), sheet)
    print(json.dumps(dict(out=args.out, totals=manifest['totals'],
                          seconds=manifest['generation_seconds'])))
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))
