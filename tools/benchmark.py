"""Speed of PoseWarper video inference: cached temporal aggregation against
the recompute baseline, on real frames, all measured in one run.

    python tools/benchmark.py                # HRNet-W48 384x288, 8 frames, 2 threads
    python tools/benchmark.py --quick        # tiny HRNet at 64x48, 5 frames, 1 thread

Measured per output frame (one person, the same box on every frame, frames
``../shared/data/posetrack18/videos/000001_mpiinew_test`` played forward and
back to the requested length):

(a) ``single``: MMPose single-frame top-down (``inference_topdown``) with the
    same HRNet and 1x1 heatmap conv (stage-1 model);
(b) ``recompute``: :func:`inference_posewarper` with ``use_cache=False``,
    i.e. the model's ``test_step`` on 5 crops per frame (the original);
(c) ``cached``: :func:`inference_posewarper` (default path);
(d) ``backbone`` alone (one crop) and ``warp_pair`` alone (one
    ``neck.warp`` of one heatmap pair): ``backbone + 4 x warp_pair`` is the
    counted floor of the exact method;

plus mmcv's and torchvision's deformable conv at the warping shapes (forward
and backward), a stage-2 training iteration, and candidate speed-ups below
the floor (batched warps, BN folding, channels-last) with their effect on
the results. Multiply-accumulates (MACs) of every conv / deformable conv /
linear layer are counted with forward hooks during the same timed runs.

(a), (b), (c) and the training iteration each run in their own subprocess,
so ``peak_rss_mb[method]`` is that process's ``ru_maxrss`` (model, frames
and inference, Python and torch included); the child's ``rss_setup_mb`` is
its RSS after building the model, before warm-up. All models are built with
the same seeded random weights, so (b) and (c) are compared point by point.
The last line printed is one JSON object with all results.
"""
import argparse
import json
import os
import os.path as osp
import resource
import statistics
import subprocess
import sys
import time
import warnings
from collections import defaultdict
from functools import partial
from typing import Callable, Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_FRAMES_DIR = osp.join(ROOT, '..', 'shared', 'data', 'posetrack18',
                              'videos', '000001_mpiinew_test')
W48_STAGE2 = 'configs/_base_/models/posewarper_hrnet-w48_384x288.py'
W48_STAGE1 = 'configs/_base_/models/topdown_hrnet-w48_384x288.py'
TINY_STAGE2 = 'configs/posewarper/tiny/posewarper_tiny_64x48.py'
TINY_STAGE1 = 'configs/posewarper/tiny/topdown_tiny_64x48.py'
# The white-shirted player on the 1280x720 frames (x1, y1, x2, y2), picked by
# eye; the cost does not depend on where the box is.
PERSON_BOX = (360.0, 280.0, 550.0, 590.0)
# one subprocess each; 'components' includes the deformable-conv timings,
# 'cached' ends with the BN-folded model (after its peak RSS is taken)
METHODS = ('components', 'single', 'recompute', 'cached', 'train')
# the rewrites of optimize_for_inference used for "(c) cached, optimized"
OPT_REWRITES = dict(fuse_bn=True, channels_last=True)
JSON_KEYS = ('single_frame_s', 'recompute_s', 'cached_s', 'backbone_s',
             'warp_pair_s', 'peak_rss_mb', 'dcn_mmcv_s', 'dcn_torchvision_s')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true',
                        help='tiny HRNet at 64x48, 5 frames, 1 thread, 1 '
                        'repeat (for the test suite; not a speed figure)')
    parser.add_argument('--config', help='stage-2 (PoseWarper) model config')
    parser.add_argument('--single-config',
                        help='stage-1 (single-frame top-down) model config')
    parser.add_argument('--input-size', type=int, nargs=2,
                        metavar=('W', 'H'),
                        help='crop size (heatmaps are 1/4); default: the '
                        "config's (288 384)")
    parser.add_argument('--frames', type=int, help='video length')
    parser.add_argument('--threads', type=int, help='torch CPU threads')
    parser.add_argument('--repeats', type=int,
                        help='timed repeats of the component measurements')
    parser.add_argument('--train-batch', type=int, default=2,
                        help='samples per stage-2 training iteration')
    parser.add_argument('--deform-conv', default=None,
                        choices=['PoseWarperDCNv1', 'PoseWarperTVDeformConv'],
                        help="deformable conv of the warping neck (default: "
                        "the config's)")
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--frames-dir', default=DEFAULT_FRAMES_DIR)
    parser.add_argument('--methods', nargs='+', choices=METHODS,
                        default=list(METHODS))
    parser.add_argument('--method', choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.config = args.config or (TINY_STAGE2 if quick else W48_STAGE2)
    args.single_config = args.single_config or (TINY_STAGE1
                                                if quick else W48_STAGE1)
    args.frames = args.frames or (5 if quick else 8)
    args.threads = args.threads or (1 if quick else 2)
    args.repeats = args.repeats or (1 if quick else 5)
    if args.frames < 1:
        parser.error('--frames must be >= 1')
    return args


# --------------------------------------------------------------------------
# measuring helpers (run inside the child process)


class MacCounter:
    """Multiply-accumulates of the layers with a >= 2-D ``weight`` (convs,
    deformable convs, linear), counted by forward hooks: per output element
    ``weight[0].numel()`` (``C_in / groups * kh * kw``). Bilinear sampling,
    BN, activations and additions are not counted."""

    def __init__(self, model) -> None:
        import torch
        self.by_module: Dict[str, int] = defaultdict(int)
        self._handles = []
        for name, module in model.named_modules():
            weight = getattr(module, 'weight', None)
            if (isinstance(weight, torch.Tensor) and weight.dim() >= 2
                    and not any(True for _ in module.children())):
                self._handles.append(
                    module.register_forward_hook(partial(self._hook, name)))

    def _hook(self, name, module, inputs, output) -> None:
        self.by_module[name] += output.numel() * module.weight[0].numel()

    def reset(self) -> None:
        self.by_module.clear()

    def gmac(self, prefix: str = '') -> float:
        return sum(v for k, v in self.by_module.items()
                   if k.startswith(prefix)) / 1e9

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()


def rss_mb() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median seconds of ``repeats`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load_frames(args) -> list:
    """``args.frames`` real frames: the sample clip played forward and back
    (0 1 2 3 4 3 2 1 0 1 ...), so any length stays real video."""
    import cv2
    names = sorted(n for n in os.listdir(args.frames_dir)
                   if n.endswith('.jpg'))
    if not names:
        raise FileNotFoundError(f'no .jpg frames in {args.frames_dir}')
    clip = [cv2.imread(osp.join(args.frames_dir, n)) for n in names]
    cycle = list(range(len(clip))) + list(range(len(clip) - 2, 0, -1))
    return [clip[cycle[i % len(cycle)]] for i in range(args.frames)]


def build_model(args, config: str, single_frame: bool = False):
    """A randomly initialised model (weights do not change the cost), with
    the input size and deformable conv of the command line."""
    from mmengine.config import Config
    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    from mmpose_posewarper.apis import init_model
    cfg = Config.fromfile(osp.join(ROOT, config))
    if args.input_size:
        w, h = args.input_size
        cfg.model.head.decoder.input_size = (w, h)
        cfg.model.head.decoder.heatmap_size = (w // 4, h // 4)
    if args.deform_conv and not single_frame:
        cfg.model.neck.deform_conv = dict(type=args.deform_conv)
    input_size = tuple(cfg.model.head.decoder.input_size)
    if single_frame:
        # model-only config: give inference_topdown MMPose's test pipeline
        cfg.test_dataloader = dict(dataset=dict(pipeline=[
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=input_size),
            dict(type='PackPoseInputs')
        ]))
    cfg.train_dataloader = dict(dataset=dict(metainfo=dict(
        from_file='configs/_base_/datasets/posetrack18.py')))
    model = init_model(cfg, device=args.device)
    model.dataset_meta = parse_pose_metainfo(
        dict(from_file='configs/_base_/datasets/posetrack18.py'))
    return model, input_size


def randomize_(model, input_size, seed: int = 0) -> None:
    """Seeded random weights at the scale of a trained model: every process
    builds the same model, heatmaps peak near 1 and offsets are a few
    pixels (the original's init makes the warp an identity with zero
    offsets, which would hide errors and sampling costs)."""
    import torch
    from torch.nn.modules.batchnorm import _BatchNorm
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            weight = getattr(module, 'weight', None)
            if isinstance(module, _BatchNorm):
                module.weight.uniform_(0.5, 1.0, generator=gen)
                module.bias.uniform_(-0.1, 0.1, generator=gen)
                module.running_mean.uniform_(-0.1, 0.1, generator=gen)
                module.running_var.uniform_(0.5, 1.5, generator=gen)
            elif isinstance(weight, torch.Tensor) and weight.dim() >= 2:
                weight.normal_(0, 1 / weight[0].numel()**0.5, generator=gen)
                bias = getattr(module, 'bias', None)
                if isinstance(bias, torch.Tensor):
                    bias.zero_()
        neck = getattr(model, 'neck', None)
        if neck is not None:
            for layer in neck.offset_layers:
                layer.weight.mul_(10)
            for layer in neck.deform_conv_layers:
                layer.weight.mul_(3)
            heatmap_layer = neck.trans_layer
            feats = model.backbone
        else:
            heatmap_layer = model.head.final_layer
            feats = model.backbone
        w, h = input_size
        crops = torch.randn(2, 3, h, w, generator=gen).to(
            next(model.parameters()).device)
        x = feats(crops)
        x = x[0] if isinstance(x, (tuple, list)) else x
        heatmap_layer.weight.div_(heatmap_layer(x).abs().max())


def video_run(model, frames, boxes, use_cache: bool,
              counter: MacCounter) -> dict:
    """Per-frame times of one pass over the video."""
    from mmpose_posewarper.apis import iter_inference_posewarper

    # warm-up on a short clip: oneDNN picks its kernels per shape
    list(iter_inference_posewarper(model, frames[:3], boxes[:3],
                                   use_cache=use_cache))
    counter.reset()
    times, keypoints, scores = [], [], []
    start = time.perf_counter()
    results = iter_inference_posewarper(model, frames, boxes,
                                        use_cache=use_cache)
    for sample in results:
        now = time.perf_counter()
        times.append(now - start)
        # (not timed: converting the results for the JSON)
        keypoints.append(sample.pred_instances.keypoints.tolist())
        scores.append(sample.pred_instances.keypoint_scores.tolist())
        start = time.perf_counter()
    return dict(
        keypoints=keypoints,
        keypoint_scores=scores,
        per_frame_s=sum(times) / len(times),
        # frames whose window has 4 distinct supporting frames
        interior_s=(statistics.mean(times[2:-2])
                    if len(times) > 4 else float('nan')),
        frame_times_s=times,
        gmac_per_frame=counter.gmac() / len(frames))


# --------------------------------------------------------------------------
# the measurements (one per child process)


def measure_components(args) -> dict:
    """Backbone alone, one warp alone, and candidate speed-ups."""
    import torch
    model, (w, h) = build_model(args, args.config)
    randomize_(model, (w, h))
    neck = model.neck
    out = dict(rss_setup_mb=rss_mb())
    gen = torch.Generator().manual_seed(1)
    crop = torch.randn(1, 3, h, w, generator=gen).to(args.device)
    counter = MacCounter(model)
    with torch.no_grad():
        hm = neck.heatmaps(model.backbone(crop))
        out['heatmap_shape'] = list(hm.shape[1:])
        counter.reset()
        out['backbone_s'] = timed(
            lambda: neck.heatmaps(model.backbone(crop)), args.repeats)
        runs = args.repeats + 1
        out['backbone_gmac'] = counter.gmac('backbone') / runs
        out['heatmap_layer_gmac'] = counter.gmac('neck.trans_layer') / runs

        ref = hm
        sup = torch.roll(hm, shifts=(2, 3), dims=(2, 3))
        counter.reset()
        out['warp_pair_s'] = timed(lambda: neck.warp(ref, sup), args.repeats)
        out['warp_pair_gmac'] = counter.gmac('neck') / runs
        out['warp_offset_feats_gmac'] = counter.gmac('neck.offset_feats') / runs
        out['warp_offset_convs_gmac'] = counter.gmac('neck.offset_layers') / runs
        out['warp_deform_convs_gmac'] = counter.gmac(
            'neck.deform_conv_layers') / runs
        counter.remove()

        # batching: the 4 supporting warps of a frame in one call
        refs, sups = ref.repeat(4, 1, 1, 1), sup.repeat(4, 1, 1, 1)
        out['warp_4_batched_s'] = timed(lambda: neck.warp(refs, sups),
                                        args.repeats)
        out['warp_4_sequential_s'] = timed(
            lambda: [neck.warp(ref, sup) for _ in range(4)], args.repeats)

        # the zero-difference warp: deformable convs only
        from mmpose_posewarper.apis.inference import _ZeroDifferenceWarp
        zero_warp = _ZeroDifferenceWarp(neck)
        out['zero_diff_warp_s'] = timed(lambda: zero_warp(ref), args.repeats)
        out['zero_diff_warp_max_err'] = float(
            (zero_warp(ref) - neck.warp(ref, ref)).abs().max())

        # inference rewrites (optimize_for_inference): BN folding, NHWC
        # layout, both; each timed on the backbone and on one warp
        from mmpose_posewarper.apis import optimize_for_inference
        variants = dict(
            fused=dict(fuse_bn=True),
            channels_last=dict(fuse_bn=False, channels_last=True),
            fused_channels_last=dict(fuse_bn=True, channels_last=True))
        for name, kwargs in variants.items():
            fast = optimize_for_inference(model, **kwargs)
            out[f'backbone_{name}_s'] = timed(
                lambda: fast.neck.heatmaps(fast.backbone(crop)),
                args.repeats)
            out[f'warp_pair_{name}_s'] = timed(
                lambda: fast.neck.warp(ref, sup), args.repeats)
            out[f'{name}_max_err'] = max(
                float((fast.neck.heatmaps(fast.backbone(crop)) -
                       hm).abs().max()),
                float((fast.neck.warp(ref, sup) -
                       neck.warp(ref, sup)).abs().max()))
            del fast
        out['heatmap_abs_max'] = float(hm.abs().max())
        out['warp_abs_max'] = float(neck.warp(ref, sup).abs().max())
    out['peak_rss_mb'] = peak_rss_mb()
    return out


def measure_dcn(args) -> dict:
    """mmcv vs torchvision deformable conv: the 5 dilated layers of one
    frame's 4 supporting warps (batch 4), forward and forward+backward."""
    import torch
    from mmcv.ops import deform_conv2d as mmcv_dcn
    from torchvision.ops import deform_conv2d as tv_dcn
    w, h = args.input_size or _config_input_size(args.config)
    hw = (h // 4, w // 4)
    gen = torch.Generator().manual_seed(0)
    k, dil = 17, (3, 6, 12, 18, 24)
    x = torch.rand(4, k, *hw, generator=gen).to(args.device)
    offsets = [(3 * torch.randn(4, 2 * 9 * k, *hw, generator=gen)).to(
        args.device) for _ in dil]
    weights = [(0.3 * torch.randn(k, k, 3, 3, generator=gen)).to(args.device)
               for _ in dil]

    def run_mmcv(x, offsets, weights):
        return sum(
            mmcv_dcn(x, o, wt, 1, d, d, 1, k, False, 4)
            for o, wt, d in zip(offsets, weights, dil))

    def run_tv(x, offsets, weights):
        return sum(
            tv_dcn(x, o, wt, padding=d, dilation=d)
            for o, wt, d in zip(offsets, weights, dil))

    out = {}
    for name, fn in (('mmcv', run_mmcv), ('torchvision', run_tv)):
        with torch.no_grad():
            out[f'dcn_{name}_s'] = timed(lambda: fn(x, offsets, weights),
                                         args.repeats)

        def fwd_bwd():
            xs = x.clone().requires_grad_(True)
            os_ = [o.clone().requires_grad_(True) for o in offsets]
            ws = [wt.clone().requires_grad_(True) for wt in weights]
            y = fn(xs, os_, ws)
            y.backward(torch.ones_like(y))
            return y, xs.grad, os_[0].grad, ws[0].grad

        out[f'dcn_{name}_fwd_bwd_s'] = timed(fwd_bwd, args.repeats)
        out[f'_{name}'] = fwd_bwd()
    out['dcn_max_err'] = max(
        float((a - b).abs().max())
        for a, b in zip(out.pop('_mmcv'), out.pop('_torchvision')))
    out['dcn_shape'] = [4, k, *hw]
    out['peak_rss_mb'] = peak_rss_mb()
    return out


def _config_input_size(config: str):
    from mmengine.config import Config
    return tuple(Config.fromfile(osp.join(ROOT, config)).model.head.decoder
                 .input_size)


def measure_single(args) -> dict:
    """(a) MMPose single-frame top-down on every frame."""
    import numpy as np
    from mmpose.apis import inference_topdown
    model, input_size = build_model(args, args.single_config,
                                    single_frame=True)
    randomize_(model, input_size)
    frames = load_frames(args)
    box = np.array([PERSON_BOX], np.float32)
    out = dict(rss_setup_mb=rss_mb())
    counter = MacCounter(model)
    inference_topdown(model, frames[0], box)  # warm-up
    counter.reset()
    times = []
    for frame in frames:
        start = time.perf_counter()
        inference_topdown(model, frame, box)
        times.append(time.perf_counter() - start)
    out.update(
        per_frame_s=sum(times) / len(times),
        gmac_per_frame=counter.gmac() / len(frames),
        peak_rss_mb=peak_rss_mb())
    return out


def _video_method(args, use_cache: bool) -> dict:
    """(b) or (c) over the whole video; after (c) also (c) with BN folded."""
    import numpy as np
    model, input_size = build_model(args, args.config)
    randomize_(model, input_size)
    frames = load_frames(args)
    boxes = [np.array([PERSON_BOX], np.float32)] * len(frames)
    out = dict(rss_setup_mb=rss_mb())
    counter = MacCounter(model)
    out.update(video_run(model, frames, boxes, use_cache, counter))
    out['peak_rss_mb'] = peak_rss_mb()
    if use_cache:
        from mmpose_posewarper.apis import optimize_for_inference
        counter.remove()
        fast = optimize_for_inference(model, **OPT_REWRITES)
        out['opt'] = video_run(fast, frames, boxes, True, MacCounter(fast))
    return out


def measure_train(args) -> dict:
    """One stage-2 training iteration (frames [ref, sup], weights (0, 1),
    frozen backbone as in the config): data preprocessing, forward,
    backward and an Adam step."""
    import numpy as np
    import torch
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.optim import OptimWrapper

    from mmpose_posewarper.datasets.transforms import MULTI_FRAME_META_KEYS
    model, input_size = build_model(args, args.config)
    codec = dict(model.cfg.model.head.decoder)
    pipeline = Compose([
        dict(type='LoadMultiFrameImages'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=input_size),
        dict(type='GenerateTarget', encoder=codec),
        dict(type='PackPoseInputs', meta_keys=MULTI_FRAME_META_KEYS)
    ])
    frames = load_frames(args)
    rng = np.random.default_rng(0)
    x1, y1, x2, y2 = PERSON_BOX
    items = []
    for i in range(args.train_batch):
        kpts = np.stack([rng.uniform(x1, x2, 17), rng.uniform(y1, y2, 17)],
                        -1)[None].astype(np.float32)
        info = dict(
            img=[frames[0], frames[min(1, len(frames) - 1)]],
            bbox=np.array([PERSON_BOX], np.float32),
            bbox_score=np.ones(1, np.float32),
            keypoints=kpts,
            keypoints_visible=np.ones((1, 17), np.float32),
            frame_offsets=[0, 1],
            frame_weights=np.array([0.0, 1.0], np.float32))
        info.update(model.dataset_meta)
        items.append(pipeline(info))
    batch = pseudo_collate(items)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = OptimWrapper(torch.optim.Adam(params, lr=1e-4))
    model.train()
    out = dict(rss_setup_mb=rss_mb(), trainable_params=sum(
        p.numel() for p in params))
    out['train_iter_s'] = timed(lambda: model.train_step(batch, optim),
                                args.repeats)
    out['train_batch'] = args.train_batch
    out['peak_rss_mb'] = peak_rss_mb()
    return out


def child(args) -> dict:
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    # MMPose's notes on metainfo paths and pkg_resources are noise here
    warnings.filterwarnings('ignore', category=UserWarning)
    import mmpose_posewarper  # noqa: F401
    fn = {
        'components': lambda a: {**measure_components(a), **measure_dcn(a)},
        'single': measure_single,
        'recompute': lambda a: _video_method(a, use_cache=False),
        'cached': lambda a: _video_method(a, use_cache=True),
        'train': measure_train,
    }[args.method]
    return fn(args)


# --------------------------------------------------------------------------
# parent: run the children, print the table and the JSON line


def run_children(args, argv: List[str]) -> Dict[str, dict]:
    results = {}
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads))
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    for method in args.methods:
        cmd = [sys.executable, osp.abspath(__file__), *argv, '--method',
               method]
        print(f'[benchmark] {method} ...', file=sys.stderr, flush=True)
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f'benchmark step {method!r} failed with exit '
                               f'code {proc.returncode}')
        results[method] = json.loads(proc.stdout.strip().splitlines()[-1])
    return results


def summarize(args, r: Dict[str, dict]) -> dict:
    nan = float('nan')

    def get(method, key):
        return r.get(method, {}).get(key, nan)

    s = dict(
        single_frame_s=get('single', 'per_frame_s'),
        recompute_s=get('recompute', 'per_frame_s'),
        cached_s=get('cached', 'per_frame_s'),
        cached_interior_s=get('cached', 'interior_s'),
        cached_opt_s=r.get('cached', {}).get('opt', {}).get(
            'per_frame_s', nan),
        backbone_s=get('components', 'backbone_s'),
        warp_pair_s=get('components', 'warp_pair_s'),
        peak_rss_mb={
            m: round(v['peak_rss_mb'], 1)
            for m, v in r.items() if m != 'components'
        },
        dcn_mmcv_s=get('components', 'dcn_mmcv_s'),
        dcn_torchvision_s=get('components', 'dcn_torchvision_s'),
        dcn_mmcv_fwd_bwd_s=get('components', 'dcn_mmcv_fwd_bwd_s'),
        dcn_torchvision_fwd_bwd_s=get('components',
                                      'dcn_torchvision_fwd_bwd_s'),
        dcn_max_err=get('components', 'dcn_max_err'),
        train_iter_s=get('train', 'train_iter_s'),
        gmac=dict(
            single_frame=get('single', 'gmac_per_frame'),
            recompute=get('recompute', 'gmac_per_frame'),
            cached=get('cached', 'gmac_per_frame'),
            backbone=get('components', 'backbone_gmac'),
            warp_pair=get('components', 'warp_pair_gmac'),
            warp_offset_feats=get('components', 'warp_offset_feats_gmac'),
            warp_offset_convs=get('components', 'warp_offset_convs_gmac'),
            warp_deform_convs=get('components', 'warp_deform_convs_gmac')),
        config=dict(
            model=args.config,
            input_size=args.input_size or list(
                _config_input_size(args.config)),
            frames=args.frames,
            threads=args.threads,
            repeats=args.repeats,
            deform_conv=args.deform_conv or 'config default',
            device=args.device))
    # the same frames through both paths (separate processes, same seed)
    s['cached_vs_recompute_max_kpt_diff'] = _max_diff(r, 'cached',
                                                      'recompute', 'keypoints')
    s['cached_vs_recompute_max_score_diff'] = _max_diff(
        r, 'cached', 'recompute', 'keypoint_scores')
    if 'opt' in r.get('cached', {}):
        s['cached_opt_vs_cached_max_kpt_diff'] = _max_diff(
            dict(opt=r['cached']['opt'], cached=r['cached']), 'opt',
            'cached', 'keypoints')
    floor = s['backbone_s'] + 4 * s['warp_pair_s']
    s['floor_s'] = floor
    s['ratio_recompute_over_cached'] = s['recompute_s'] / s['cached_s']
    s['ratio_cached_over_floor'] = s['cached_s'] / floor
    s['ratio_cached_interior_over_floor'] = s['cached_interior_s'] / floor
    comp = r.get('components', {})
    for key in ('warp_4_batched_s', 'warp_4_sequential_s', 'zero_diff_warp_s',
                'backbone_fused_s', 'warp_pair_fused_s', 'fused_max_err',
                'backbone_channels_last_s', 'warp_pair_channels_last_s',
                'channels_last_max_err', 'backbone_fused_channels_last_s',
                'warp_pair_fused_channels_last_s',
                'fused_channels_last_max_err', 'zero_diff_warp_max_err',
                'heatmap_abs_max', 'warp_abs_max'):
        s[key] = comp.get(key, nan)
    return s


def _max_diff(r: Dict[str, dict], a: str, b: str, key: str) -> float:
    import numpy as np
    if key not in r.get(a, {}) or key not in r.get(b, {}):
        return float('nan')
    return float(np.abs(np.array(r[a][key]) - np.array(r[b][key])).max())


def print_table(s: dict) -> None:
    g = s['gmac']
    rows = [
        ('(a) single-frame top-down', s['single_frame_s'], g['single_frame'],
         s['peak_rss_mb'].get('single')),
        ('(b) recompute (original)', s['recompute_s'], g['recompute'],
         s['peak_rss_mb'].get('recompute')),
        ('(c) cached (ours)', s['cached_s'], g['cached'],
         s['peak_rss_mb'].get('cached')),
        ('(c) cached, interior frames', s['cached_interior_s'], None, None),
        ('(c) cached, ' + '+'.join(k for k, v in OPT_REWRITES.items() if v),
         s['cached_opt_s'], None, None),
        ('(d) backbone, one crop', s['backbone_s'], g['backbone'], None),
        ('(d) warp, one pair', s['warp_pair_s'], g['warp_pair'], None),
        ('    floor = backbone + 4 warps', s['floor_s'],
         g['backbone'] + 4 * g['warp_pair'], None),
    ]
    cfg = s['config']
    print(f"PoseWarper video inference, {cfg['model']}, input "
          f"{cfg['input_size'][0]}x{cfg['input_size'][1]}, {cfg['frames']} "
          f"frames, {cfg['threads']} threads, {cfg['device']}")
    print(f"{'per output frame':<34}{'time s':>9}{'GMAC':>9}{'peak RSS MB':>13}")
    for name, t, mac, rss in rows:
        mac_s = f'{mac:9.2f}' if mac is not None else ' ' * 9
        rss_s = f'{rss:13.0f}' if rss is not None else ''
        print(f'{name:<34}{t:9.3f}{mac_s}{rss_s}')
    print(f"warp GMAC: offset_feats {g['warp_offset_feats']:.2f}, offset convs "
          f"{g['warp_offset_convs']:.2f}, deformable convs "
          f"{g['warp_deform_convs']:.3f}")
    print(f"recompute / cached = {s['ratio_recompute_over_cached']:.2f} "
          '(target >= 1.6)')
    print(f"cached / floor = {s['ratio_cached_over_floor']:.2f}, interior "
          f"frames {s['ratio_cached_interior_over_floor']:.2f} "
          '(target <= 1.15)')
    print('cached vs recompute: max keypoint diff '
          f"{s['cached_vs_recompute_max_kpt_diff']:.1e} px, max score diff "
          f"{s['cached_vs_recompute_max_score_diff']:.1e}")
    print('below the floor (same results within the error shown):')
    print(f"  4 warps batched {s['warp_4_batched_s']:.3f} s vs sequential "
          f"{s['warp_4_sequential_s']:.3f} s")
    print(f"  zero-difference warp {s['zero_diff_warp_s']:.4f} s vs full "
          f"warp {s['warp_pair_s']:.3f} s (max err "
          f"{s['zero_diff_warp_max_err']:.1e})")
    print(f"  BN folding: backbone {s['backbone_fused_s']:.3f} s, warp "
          f"{s['warp_pair_fused_s']:.3f} s (max err {s['fused_max_err']:.1e})")
    print(f"  channels-last: backbone {s['backbone_channels_last_s']:.3f} s, "
          f"warp {s['warp_pair_channels_last_s']:.3f} s (max err "
          f"{s['channels_last_max_err']:.1e})")
    print('  BN folding + channels-last: backbone '
          f"{s['backbone_fused_channels_last_s']:.3f} s, warp "
          f"{s['warp_pair_fused_channels_last_s']:.3f} s (max err "
          f"{s['fused_channels_last_max_err']:.1e})")
    print(f"deformable convs (5 dilations, batch {4}): mmcv "
          f"{s['dcn_mmcv_s']:.4f} s fwd, {s['dcn_mmcv_fwd_bwd_s']:.4f} s "
          f"fwd+bwd; torchvision {s['dcn_torchvision_s']:.4f} s fwd, "
          f"{s['dcn_torchvision_fwd_bwd_s']:.4f} s fwd+bwd (max diff "
          f"{s['dcn_max_err']:.1e})")
    print(f"stage-2 training iteration: {s['train_iter_s']:.3f} s")


def _nan_to_none(value):
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.method:
        print(json.dumps(child(args)))
        return 0
    results = run_children(args, argv)
    summary = summarize(args, results)
    print_table(summary)
    # strict JSON: a step that was not run is null, not NaN
    print(json.dumps(_nan_to_none(summary)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
