"""The measurements, one per child process (``--method``); each returns a
dict that the child prints as its last line (JSON)."""
import argparse
import statistics
import time
import warnings
from collections import defaultdict
from typing import Callable, Iterator

from .inputs import build_model, load_frames
from .meters import MacCounter, peak_rss_mb, rss_mb, timed_paired
from .settings import OPT_REWRITES, PERSON_BOX, RSS_FRAMES


def measure_paired(args: argparse.Namespace) -> dict:
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


def partial_next(gen: Iterator) -> Callable[[], object]:
    """A step that takes the next result of ``gen``."""
    return lambda: next(gen)


def measure_rss(args: argparse.Namespace, method: str) -> dict:
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


def measure_components(args: argparse.Namespace) -> dict:
    """Candidate speed-ups below the floor, each paired with its baseline,
    and the deformable conv implementations."""
    import torch

    from mmpose_posewarper.apis import optimize_for_inference
    from mmpose_posewarper.apis.cached_inference import ZeroDifferenceWarp
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
        zero_warp = ZeroDifferenceWarp(neck)
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


def measure_dcn(args: argparse.Namespace, hw) -> dict:
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


def measure_train(args: argparse.Namespace) -> dict:
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


def child(args: argparse.Namespace) -> dict:
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
