"""Command line and fixed settings of the speed benchmark."""
import argparse
import os.path as osp
from typing import List, Optional

from mmpose_posewarper.utils.cli import add_input, int_at_least

# the repository (configs/ and ../shared/data are found from there, as from
# tools/): projects/speed_benchmark/speed_benchmark/ is three folders below
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
DEFAULT_FRAMES_DIR = osp.join(ROOT, '..', 'shared', 'data', 'posetrack18',
                              'videos', '000001_mpiinew_test')
W48_STAGE2 = 'configs/_base_/models/posewarper_hrnet-w48_384x288.py'
W48_STAGE1 = 'configs/_base_/models/topdown_hrnet-w48_384x288.py'
TINY_STAGE2 = 'configs/posewarper/tiny/posewarper_tiny_64x48.py'
TINY_STAGE1 = 'configs/posewarper/tiny/topdown_tiny_64x48.py'
# The white-shirted player on the 1280x720 frames (x1, y1, x2, y2), picked by
# eye; the cost does not depend on where the box is.
PERSON_BOX = (360.0, 280.0, 550.0, 590.0)
# the rewrites of optimize_for_inference used for ``cached_opt``
OPT_REWRITES = dict(fuse_bn=True, channels_last=True)
RSS_FRAMES = 6
# one subprocess each
METHODS = ('components', 'paired', 'rss_single', 'rss_recompute',
           'rss_cached', 'train')
#: keys of the JSON line the tests and docs/benchmark.md rely on (there are
#: more)
JSON_KEYS = ('single_frame_s', 'recompute_s', 'cached_s', 'backbone_s',
             'warp_pair_s', 'peak_rss_mb', 'dcn_mmcv_s', 'dcn_torchvision_s')


DESCRIPTION = ('Speed of PoseWarper video inference: cached temporal '
               'aggregation against the recompute baseline, on real '
               'frames, all measured in one run.')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true',
                        help='tiny HRNet at 64x48, 5 frames, 1 thread, 1 '
                        'repeat (for the test suite; not a speed figure)')
    add_input(parser, '--config', help='stage-2 (PoseWarper) model config')
    add_input(parser, '--single-config',
                        help='stage-1 (single-frame top-down) model config')
    parser.add_argument('--input-size', type=int_at_least(4), nargs=2,
                        metavar=('W', 'H'),
                        help='crop size (heatmaps are 1/4); default: the '
                        "config's (288 384)")
    parser.add_argument('--frames', type=int_at_least(1),
                        help='video length')
    parser.add_argument('--threads', type=int_at_least(1),
                        help='torch CPU threads')
    parser.add_argument('--repeats', type=int_at_least(1),
                        help='timed repeats of the component measurements')
    parser.add_argument('--train-batch', type=int_at_least(1), default=2,
                        help='samples per stage-2 training iteration')
    parser.add_argument('--deform-conv', default=None,
                        choices=['PoseWarperDCNv1', 'PoseWarperTVDeformConv',
                                 'PoseWarperGridSampleDeformConv'],
                        help="deformable conv of the warping neck (default: "
                        "the config's)")
    parser.add_argument('--device', default='cpu')
    add_input(parser, '--frames-dir', kind='dir', default=DEFAULT_FRAMES_DIR,
              help='a folder of frames the timed video is made of')
    parser.add_argument('--methods', nargs='+', choices=METHODS,
                        default=list(METHODS), help='steps to run')
    parser.add_argument('--method', choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.config = args.config or (TINY_STAGE2 if quick else W48_STAGE2)
    args.single_config = args.single_config or (TINY_STAGE1
                                                if quick else W48_STAGE1)
    args.frames = args.frames or (5 if quick else 8)
    # one thread by default: on a shared machine, threads of one process
    # wait for each other whenever another process takes a core (measured
    # here: HRNet-W48 2.4 s with 1 thread, 8-15 s with 2 at load 4)
    args.threads = args.threads or 1
    args.repeats = args.repeats or (1 if quick else 3)
    if args.frames < 1:
        parser.error('--frames must be >= 1')
    return args
