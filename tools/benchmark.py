"""Speed of PoseWarper video inference: cached temporal aggregation against
the recompute baseline, on real frames, all measured in one run.

    python tools/benchmark.py                # HRNet-W48 384x288, 8 frames, 1 thread
    python tools/benchmark.py --quick        # tiny HRNet at 64x48, 5 frames, 1 thread

Per output frame, for one person with the same box on every frame of
``../shared/data/posetrack18/videos/000001_mpiinew_test`` (played forward and
back to the requested length):

(a) ``single``: MMPose single-frame top-down (``inference_topdown``) with the
    same HRNet and 1x1 heatmap conv (the stage-1 model);
(b) ``recompute``: :func:`inference_posewarper` with ``use_cache=False``:
    the model's ``test_step`` on 5 crops per frame, as the original;
(c) ``cached``: :func:`inference_posewarper` (the default path), and
    ``cached_opt``: the same on :func:`optimize_for_inference`'s rewrite;
(d) ``backbone`` alone (one crop, heatmap conv included) and ``warp_pair``
    alone (one ``neck.warp``): ``backbone + 4 x warp_pair`` is the floor of
    the exact method.

(a)-(d) are timed *paired*: in one process, frame by frame in turn, so a
shared machine's load hits all of them alike and the ratios hold. Peak RSS
is measured separately, one subprocess per method (``ru_maxrss`` of a
process that builds that model and runs it on the first 6 frames, enough
for the cache to hold a full window; Python, torch and the model included).
Further measurements, each paired with its baseline: candidate speed-ups
below the floor (batched warps, BN folding, channels-last; with their effect
on the results), mmcv's and torchvision's deformable conv at the warping
shapes (forward, forward+backward), and a stage-2 training iteration.
Multiply-accumulates (MACs) of every conv, deformable conv and linear layer
are counted by forward hooks during the timed runs. All models get the same
seeded random weights, scaled like a trained model's, so (b) and (c) are
compared point by point. The last line printed is one JSON object.
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
# the rewrites of optimize_for_inference used for ``cached_opt``
OPT_REWRITES = dict(fuse_bn=True, channels_last=True)
RSS_FRAMES = 6
# one subprocess each
METHODS = ('components', 'paired', 'rss_single', 'rss_recompute',
           'rss_cached', 'train')
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
                        choices=['PoseWarperDCNv1', 'PoseWarperTVDeformConv',
                                 'PoseWarperGridSampleDeformConv'],
                        help="deformable conv of the warping neck (default: "
                        "the config's)")
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--frames-dir', default=DEFAULT_FRAMES_DIR)
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


# --------------------------------------------------------------------------
# measuring helpers (run inside a child process)


class MacCounter:
    """Multiply-accumulates of the layers with a >= 2-D ``weight`` (convs,
    deformable convs, linear), counted by forward hooks: per output element
    ``weight[0].numel()`` (``C_in / groups * kh * kw``). Bilinear sampling,
    BN, activations and additions are not counted. Counts go to the current
    :attr:`scope` and module name."""

    def __init__(self, *models) -> None:
        import torch
        self.scope = 'default'
        self.counts: Dict[str, Dict[str, int]] = defaultdict(
            lambda: defaultdict(int))
        self._handles = []
        for model in models:
            for name, module in model.named_modules():
                weight = getattr(module, 'weight', None)
                if (isinstance(weight, torch.Tensor) and weight.dim() >= 2
                        and not any(True for _ in module.children())):
                    self._handles.append(
                        module.register_forward_hook(self._hook(name)))

    def _hook(self, name: str):

        def hook(module, inputs, output):
            self.counts[self.scope][name] += (
                output.numel() * module.weight[0].numel())

        return hook

    def gmac(self, scope: str, prefix: str = '') -> float:
        return sum(v for k, v in self.counts[scope].items()
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


def timed_paired(fns: Dict[str, Callable[[], object]],
                 repeats: int) -> Dict[str, float]:
    """Median seconds per call of each function, calls interleaved (one
    round = each function once) after one warm-up round."""
    times = defaultdict(list)
    for round_ in range(repeats + 1):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


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


def config_input_size(args):
    from mmengine.config import Config
    if args.input_size:
        return tuple(args.input_size)
    cfg = Config.fromfile(osp.join(ROOT, args.config))
    return tuple(cfg.model.head.decoder.input_size)


def build_model(args, config: str, single_frame: bool = False):
    """The model of ``config`` with seeded random weights (see
    :func:`randomize_`), the command line's input size and deformable
    conv, in eval mode."""
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
    model = init_model(cfg, device=args.device)
    import mmpose
    model.dataset_meta = parse_pose_metainfo(
        dict(from_file=osp.join(
            osp.dirname(mmpose.__file__), '.mim', 'configs', '_base_',
            'datasets', 'posetrack18.py')))
    randomize_(model, input_size)
    return model, input_size


def randomize_(model, input_size, seed: int = 0) -> None:
    """Seeded random weights at the scale of a trained model: every process
    builds the same model, heatmaps peak near 1 and offsets are a few
    pixels (the original's init makes the warp an identity with zero
    offsets, which would hide errors and sampling costs)."""
    import torch
    from torch.nn.modules.batchnorm import _BatchNorm
    gen = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    with torch.no_grad():
        for module in model.modules():
            weight = getattr(module, 'weight', None)
            if isinstance(module, _BatchNorm):
                for tensor, low, high in (
                    (module.weight, 0.5, 1.0), (module.bias, -0.1, 0.1),
                    (module.running_mean, -0.1, 0.1),
                    (module.running_var, 0.5, 1.5)):
                    tensor.copy_(torch.empty(tensor.shape).uniform_(
                        low, high, generator=gen))
            elif isinstance(weight, torch.Tensor) and weight.dim() >= 2:
                weight.copy_(torch.randn(weight.shape, generator=gen) /
                             weight[0].numel()**0.5)
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
        else:
            heatmap_layer = model.head.final_layer
        w, h = input_size
        crops = torch.randn(2, 3, h, w, generator=gen).to(device)
        feats = model.backbone(crops)
        heatmap_layer.weight.div_(heatmap_layer(feats[0]).abs().max())


# --------------------------------------------------------------------------
# the measurements (one per child process)


def measure_paired(args) -> dict:
    """(a), (b), (c), (d) frame by frame in turn, with MACs."""
    import numpy as np
    import torch
    from mmpose.apis import inference_topdown

    from mmpose_posewarper.apis import (iter_inference_posewarper,
                                        optimize_for_inference)
    model, (w, h) = build_model(args, args.config)
    fast = optimize_for_inference(model, **OPT_REWRITES)
    single, _ = build_model(args, args.single_config, single_frame=True)
    frames = load_frames(args)
    box = np.array([PERSON_BOX], np.float32)
    boxes = [box] * len(frames)
    crop = torch.randn(1, 3, h, w, generator=torch.Generator().manual_seed(1))
    crop = crop.to(args.device)
    with torch.no_grad():
        ref = model.neck.heatmaps(model.backbone(crop))
    sup = torch.roll(ref, shifts=(2, 3), dims=(2, 3))

    def videos():
        return dict(
            recompute=iter_inference_posewarper(
                model, frames, boxes, use_cache=False),
            cached=iter_inference_posewarper(model, frames, boxes),
            cached_opt=iter_inference_posewarper(fast, frames, boxes))

    @torch.no_grad()
    def backbone():
        model.neck.heatmaps(model.backbone(crop))

    @torch.no_grad()
    def warp_pair():
        model.neck.warp(ref, sup)

    # warm-up: oneDNN picks its kernels per shape
    for gen in videos().values():
        for _, _ in zip(range(3), gen):
            pass
    backbone(), warp_pair(), inference_topdown(single, frames[0], box)

    counter = MacCounter(model, fast, single)
    times = defaultdict(list)
    keypoints = defaultdict(list)
    gens = videos()
    for t, frame in enumerate(frames):
        steps = [('single', lambda: inference_topdown(single, frame, box)[0])]
        steps += [(name, partial_next(gen)) for name, gen in gens.items()]
        steps += [('backbone', backbone), ('warp_pair', warp_pair)]
        for name, step in steps:
            counter.scope = name
            start = time.perf_counter()
            sample = step()
            times[name].append(time.perf_counter() - start)
            if name in ('single', *gens):
                # (not timed) converting the results for the comparison
                keypoints[name].append(
                    sample.pred_instances.keypoints.tolist())
                keypoints[name + '_scores'].append(
                    sample.pred_instances.keypoint_scores.tolist())
    counter.remove()
    n = len(frames)
    out = {f'{name}_s': sum(t) / n for name, t in times.items()}
    # frames whose window has 4 distinct supporting frames
    for name in ('cached', 'cached_opt', 'backbone', 'warp_pair'):
        out[f'{name}_interior_s'] = (
            statistics.mean(times[name][2:-2]) if n > 4 else float('nan'))
    out['frame_times_s'] = dict(times)
    out['gmac'] = {name: counter.gmac(name) / n for name in times}
    out['gmac'].update(
        heatmap_layer=counter.gmac('backbone', 'neck.trans_layer') / n,
        warp_offset_feats=counter.gmac('warp_pair', 'neck.offset_feats') / n,
        warp_offset_convs=counter.gmac('warp_pair', 'neck.offset_layers') / n,
        warp_deform_convs=counter.gmac('warp_pair',
                                       'neck.deform_conv_layers') / n)
    out['keypoints'] = dict(keypoints)
    out['heatmap_abs_max'] = float(ref.abs().max())
    return out


def partial_next(gen):
    return lambda: next(gen)


def measure_rss(args, method: str) -> dict:
    """Peak RSS of one method in a fresh process (first RSS_FRAMES frames)."""
    import numpy as np
    from mmpose.apis import inference_topdown

    from mmpose_posewarper.apis import inference_posewarper
    config = args.single_config if method == 'single' else args.config
    model, _ = build_model(args, config, single_frame=method == 'single')
    frames = load_frames(args)[:RSS_FRAMES]
    box = np.array([PERSON_BOX], np.float32)
    setup = rss_mb()
    if method == 'single':
        for frame in frames:
            inference_topdown(model, frame, box)
    else:
        inference_posewarper(model, frames, [box] * len(frames),
                             use_cache=method == 'cached')
    return dict(rss_setup_mb=setup, peak_rss_mb=peak_rss_mb(),
                frames=len(frames))


def measure_components(args) -> dict:
    """Candidate speed-ups below the floor, each paired with its baseline,
    and the deformable conv implementations."""
    import torch

    from mmpose_posewarper.apis import optimize_for_inference
    from mmpose_posewarper.apis.inference import _ZeroDifferenceWarp
    model, (w, h) = build_model(args, args.config)
    neck = model.neck
    crop = torch.randn(1, 3, h, w, generator=torch.Generator().manual_seed(1))
    crop = crop.to(args.device)
    out = {}
    with torch.no_grad():
        ref = neck.heatmaps(model.backbone(crop))
        sup = torch.roll(ref, shifts=(2, 3), dims=(2, 3))
        out['heatmap_shape'] = list(ref.shape[1:])

        # batching: a frame's 4 supporting warps in one call; the reference
        # frame's warp with its zero-difference offsets computed once
        refs, sups = ref.repeat(4, 1, 1, 1), sup.repeat(4, 1, 1, 1)
        zero_warp = _ZeroDifferenceWarp(neck)
        out.update({
            f'{k}_s': v
            for k, v in timed_paired(
                dict(
                    warp_pair=lambda: neck.warp(ref, sup),
                    warp_4_batched=lambda: neck.warp(refs, sups),
                    warp_4_sequential=lambda: [
                        neck.warp(ref, sup) for _ in range(4)
                    ],
                    zero_diff_warp=lambda: zero_warp(ref)),
                args.repeats).items()
        })
        out['zero_diff_warp_max_err'] = float(
            (zero_warp(ref) - neck.warp(ref, ref)).abs().max())

        # optimize_for_inference: BN folding, NHWC layout, both
        variants = dict(
            plain=model,
            fused=optimize_for_inference(model, fuse_bn=True),
            channels_last=optimize_for_inference(
                model, fuse_bn=False, channels_last=True),
            fused_channels_last=optimize_for_inference(
                model, fuse_bn=True, channels_last=True))
        fns = {}
        for name, m in variants.items():
            fns[f'backbone_{name}'] = (
                lambda m=m: m.neck.heatmaps(m.backbone(crop)))
            fns[f'warp_pair_{name}'] = lambda m=m: m.neck.warp(ref, sup)
        out.update(
            {f'{k}_s': v
             for k, v in timed_paired(fns, args.repeats).items()})
        for name, m in variants.items():
            out[f'{name}_max_err'] = max(
                float((m.neck.heatmaps(m.backbone(crop)) - ref).abs().max()),
                float((m.neck.warp(ref, sup) -
                       neck.warp(ref, sup)).abs().max()))
    out.update(measure_dcn(args, tuple(ref.shape[2:])))
    return out


def measure_dcn(args, hw) -> dict:
    """mmcv vs torchvision deformable conv: the 5 dilated layers of one
    frame's 4 supporting warps (batch 4), forward and forward+backward."""
    import torch
    from mmcv.ops import deform_conv2d as mmcv_dcn
    from torchvision.ops import deform_conv2d as tv_dcn

    from mmpose_posewarper.models.ops.grid_sample_deform_conv import \
        grid_sample_deform_conv2d as gs_dcn
    gen = torch.Generator().manual_seed(0)
    k, dil = 17, (3, 6, 12, 18, 24)
    x = torch.rand(4, k, *hw, generator=gen).to(args.device)
    offsets = [(3 * torch.randn(4, 2 * 9 * k, *hw, generator=gen)).to(
        args.device) for _ in dil]
    weights = [(0.3 * torch.randn(k, k, 3, 3, generator=gen)).to(args.device)
               for _ in dil]
    impls = dict(
        mmcv=lambda x, o, w, d: mmcv_dcn(x, o, w, 1, d, d, 1, k, False, 4),
        torchvision=lambda x, o, w, d: tv_dcn(x, o, w, padding=d, dilation=d),
        # PyTorch ops only (models/ops/grid_sample_deform_conv.py)
        grid_sample=lambda x, o, w, d: gs_dcn(
            x, o, w, padding=(d, d), dilation=(d, d)))

    def forward(impl, x, offsets, weights):
        return sum(impl(x, o, wt, d) for o, wt, d in zip(offsets, weights, dil))

    def fwd_bwd(impl):
        xs = x.clone().requires_grad_(True)
        os_ = [o.clone().requires_grad_(True) for o in offsets]
        ws = [wt.clone().requires_grad_(True) for wt in weights]
        y = forward(impl, xs, os_, ws)
        y.backward(torch.linspace(-1, 1, y.numel()).view_as(y))
        return [y, xs.grad, *[o.grad for o in os_], *[w.grad for w in ws]]

    fns = {}
    for name, impl in impls.items():
        fns[f'dcn_{name}'] = (
            lambda impl=impl: forward(impl, x, offsets, weights))
        fns[f'dcn_{name}_fwd_bwd'] = lambda impl=impl: fwd_bwd(impl)
    with torch.no_grad():
        fwd = timed_paired({k: v for k, v in fns.items() if 'bwd' not in k},
                           args.repeats)
    bwd = timed_paired({k: v for k, v in fns.items() if 'bwd' in k},
                       args.repeats)
    out = {f'{k}_s': v for k, v in {**fwd, **bwd}.items()}
    # agreement with mmcv: output, input and weight gradients; offset
    # gradients are compared by count, since bilinear sampling has kinks at
    # integer positions where implementations may take either one-sided
    # derivative (float rounding of the position decides)
    ref = fwd_bwd(impls['mmcv'])
    n_off = len(offsets)
    # fwd_bwd's outputs: output, input grad, offset grads, weight grads
    smooth = [0, 1] + list(range(2 + n_off, 2 + 2 * n_off))
    for name in ('torchvision', 'grid_sample'):
        got = fwd_bwd(impls[name])
        out[f'dcn_{name}_max_err'] = max(
            float((ref[i] - got[i]).detach().abs().max()) for i in smooth)
        out[f'dcn_{name}_offset_grad_mismatches'] = int(
            sum(int(((ref[i] - got[i]).abs() > 1e-3).sum())
                for i in range(2, 2 + n_off)))
    out['dcn_offset_grad_elements'] = int(sum(o.numel() for o in offsets))
    out['dcn_max_err'] = out['dcn_torchvision_max_err']
    out['dcn_shape'] = [4, k, *hw]
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
    out = dict(trainable_params=sum(p.numel() for p in params))
    out['train_iter_s'] = timed_paired(
        dict(train=lambda: model.train_step(batch, optim)),
        args.repeats)['train']
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
        'components': measure_components,
        'paired': measure_paired,
        'rss_single': lambda a: measure_rss(a, 'single'),
        'rss_recompute': lambda a: measure_rss(a, 'recompute'),
        'rss_cached': lambda a: measure_rss(a, 'cached'),
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


def _max_diff(a, b) -> float:
    import numpy as np
    return float(np.abs(np.array(a) - np.array(b)).max())


def summarize(args, r: Dict[str, dict]) -> dict:
    nan = float('nan')
    p, comp = r.get('paired', {}), r.get('components', {})
    g = p.get('gmac', {})
    kpts = p.get('keypoints', {})
    s = dict(
        single_frame_s=p.get('single_s', nan),
        recompute_s=p.get('recompute_s', nan),
        cached_s=p.get('cached_s', nan),
        cached_interior_s=p.get('cached_interior_s', nan),
        cached_opt_s=p.get('cached_opt_s', nan),
        cached_opt_interior_s=p.get('cached_opt_interior_s', nan),
        backbone_s=p.get('backbone_s', nan),
        warp_pair_s=p.get('warp_pair_s', nan),
        peak_rss_mb={
            m[4:]: round(v['peak_rss_mb'], 1)
            for m, v in r.items() if m.startswith('rss_')
        },
        rss_setup_mb={
            m[4:]: round(v['rss_setup_mb'], 1)
            for m, v in r.items() if m.startswith('rss_')
        },
        dcn_mmcv_s=comp.get('dcn_mmcv_s', nan),
        dcn_torchvision_s=comp.get('dcn_torchvision_s', nan),
        dcn_mmcv_fwd_bwd_s=comp.get('dcn_mmcv_fwd_bwd_s', nan),
        dcn_torchvision_fwd_bwd_s=comp.get('dcn_torchvision_fwd_bwd_s', nan),
        dcn_max_err=comp.get('dcn_max_err', nan),
        dcn_grid_sample_s=comp.get('dcn_grid_sample_s', nan),
        dcn_grid_sample_fwd_bwd_s=comp.get('dcn_grid_sample_fwd_bwd_s', nan),
        dcn_grid_sample_max_err=comp.get('dcn_grid_sample_max_err', nan),
        dcn_offset_grad_mismatches=dict(
            torchvision=comp.get('dcn_torchvision_offset_grad_mismatches'),
            grid_sample=comp.get('dcn_grid_sample_offset_grad_mismatches'),
            of=comp.get('dcn_offset_grad_elements')),
        train_iter_s=r.get('train', {}).get('train_iter_s', nan),
        gmac=dict(
            single_frame=g.get('single', nan),
            recompute=g.get('recompute', nan),
            cached=g.get('cached', nan),
            cached_opt=g.get('cached_opt', nan),
            backbone=g.get('backbone', nan),
            heatmap_layer=g.get('heatmap_layer', nan),
            warp_pair=g.get('warp_pair', nan),
            warp_offset_feats=g.get('warp_offset_feats', nan),
            warp_offset_convs=g.get('warp_offset_convs', nan),
            warp_deform_convs=g.get('warp_deform_convs', nan)),
        config=dict(
            model=args.config,
            input_size=list(config_input_size(args)),
            frames=args.frames,
            threads=args.threads,
            repeats=args.repeats,
            deform_conv=args.deform_conv or 'config default',
            device=args.device,
            opt_rewrites=[k for k, v in OPT_REWRITES.items() if v]),
        load_average=list(os.getloadavg()),
        frame_times_s=p.get('frame_times_s', {}))
    if kpts:
        s['cached_vs_recompute_max_kpt_diff'] = _max_diff(
            kpts['cached'], kpts['recompute'])
        s['cached_vs_recompute_max_score_diff'] = _max_diff(
            kpts['cached_scores'], kpts['recompute_scores'])
        s['cached_opt_vs_recompute_max_kpt_diff'] = _max_diff(
            kpts['cached_opt'], kpts['recompute'])
    floor = s['backbone_s'] + 4 * s['warp_pair_s']
    floor_interior = p.get('backbone_interior_s', nan) + 4 * p.get(
        'warp_pair_interior_s', nan)
    s['floor_s'] = floor
    s['ratio_recompute_over_cached'] = s['recompute_s'] / s['cached_s']
    s['ratio_cached_over_floor'] = s['cached_s'] / floor
    s['ratio_cached_interior_over_floor'] = (s['cached_interior_s'] /
                                             floor_interior)
    s['ratio_cached_opt_interior_over_floor'] = (s['cached_opt_interior_s'] /
                                                 floor_interior)
    for key in ('warp_4_batched_s', 'warp_4_sequential_s', 'zero_diff_warp_s',
                'zero_diff_warp_max_err', 'heatmap_shape'):
        s[key] = comp.get(key, nan)
    for name in ('plain', 'fused', 'channels_last', 'fused_channels_last'):
        for part in ('backbone', 'warp_pair'):
            s[f'{part}_{name}_s'] = comp.get(f'{part}_{name}_s', nan)
        if name != 'plain':
            s[f'{name}_max_err'] = comp.get(f'{name}_max_err', nan)
    return s


def print_table(s: dict) -> None:
    g, rss = s['gmac'], s['peak_rss_mb']
    m = s['dcn_offset_grad_mismatches']
    opt = '+'.join(s['config']['opt_rewrites'])
    rows = [
        ('(a) single-frame top-down', s['single_frame_s'], g['single_frame'],
         rss.get('single')),
        ('(b) recompute (original)', s['recompute_s'], g['recompute'],
         rss.get('recompute')),
        ('(c) cached (ours)', s['cached_s'], g['cached'], rss.get('cached')),
        ('    interior frames only', s['cached_interior_s'], None, None),
        (f'(c) cached, {opt}', s['cached_opt_s'], g['cached_opt'], None),
        ('    interior frames only', s['cached_opt_interior_s'], None, None),
        ('(d) backbone + heatmap, 1 crop', s['backbone_s'], g['backbone'],
         None),
        ('(d) warp, 1 pair', s['warp_pair_s'], g['warp_pair'], None),
        ('    floor = backbone + 4 warps', s['floor_s'],
         g['backbone'] + 4 * g['warp_pair'], None),
    ]
    cfg = s['config']
    print(f"PoseWarper video inference, {cfg['model']}, input "
          f"{cfg['input_size'][0]}x{cfg['input_size'][1]}, {cfg['frames']} "
          f"frames, {cfg['threads']} threads, {cfg['device']}, load average "
          f"{s['load_average'][0]:.1f} at the end")
    print(f"{'per output frame':<34}{'time s':>9}{'GMAC':>9}"
          f"{'peak RSS MB':>13}")
    for name, t, mac, mem in rows:
        mac_s = f'{mac:9.2f}' if mac is not None else ' ' * 9
        mem_s = f'{mem:13.0f}' if mem is not None else ''
        print(f'{name:<34}{t:9.3f}{mac_s}{mem_s}')
    print(f"warp GMAC: offset_feats {g['warp_offset_feats']:.2f}, offset convs "
          f"{g['warp_offset_convs']:.2f}, deformable convs "
          f"{g['warp_deform_convs']:.3f}; heatmap conv "
          f"{g['heatmap_layer']:.3f}")
    print(f"recompute / cached = {s['ratio_recompute_over_cached']:.2f} "
          '(target >= 1.6)')
    print(f"cached / floor = {s['ratio_cached_over_floor']:.2f}, interior "
          f"frames {s['ratio_cached_interior_over_floor']:.2f} "
          '(target <= 1.15)')
    print('cached vs recompute: max keypoint diff '
          f"{s.get('cached_vs_recompute_max_kpt_diff', float('nan')):.1e} px,"
          ' max score diff '
          f"{s.get('cached_vs_recompute_max_score_diff', float('nan')):.1e}")
    print('below the floor (paired medians; max abs error vs plain):')
    print(f"  4 warps: batched {s['warp_4_batched_s']:.3f} s, sequential "
          f"{s['warp_4_sequential_s']:.3f} s")
    print(f"  zero-difference warp {s['zero_diff_warp_s']:.4f} s (max err "
          f"{s['zero_diff_warp_max_err']:.1e})")
    for name in ('plain', 'fused', 'channels_last', 'fused_channels_last'):
        err = (f" (max err {s[f'{name}_max_err']:.1e})"
               if name != 'plain' else '')
        print(f"  {name:<20} backbone {s[f'backbone_{name}_s']:.3f} s, warp "
              f"{s[f'warp_pair_{name}_s']:.3f} s{err}")
    print(f"deformable convs (5 dilations, batch 4): mmcv "
          f"{s['dcn_mmcv_s']:.4f} s fwd, {s['dcn_mmcv_fwd_bwd_s']:.4f} s "
          f"fwd+bwd; torchvision {s['dcn_torchvision_s']:.4f} s fwd, "
          f"{s['dcn_torchvision_fwd_bwd_s']:.4f} s fwd+bwd (max diff "
          f"{s['dcn_max_err']:.1e}); grid_sample "
          f"{s['dcn_grid_sample_s']:.4f} s fwd, "
          f"{s['dcn_grid_sample_fwd_bwd_s']:.4f} s fwd+bwd (max diff "
          f"{s['dcn_grid_sample_max_err']:.1e}); offset-gradient elements "
          'off by > 1e-3 (kinks at integer positions): torchvision '
          f"{m['torchvision']}, grid_sample {m['grid_sample']} of {m['of']}")
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
