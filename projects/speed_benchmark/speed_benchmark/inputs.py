"""What every measurement runs on: real frames and seeded models."""
import argparse
import os
import os.path as osp
from typing import Tuple

from .settings import ROOT


def load_frames(args: argparse.Namespace) -> list:
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


def config_input_size(args: argparse.Namespace):
    from mmengine.config import Config
    if args.input_size:
        return tuple(args.input_size)
    cfg = Config.fromfile(osp.join(ROOT, args.config))
    return tuple(cfg.model.head.decoder.input_size)


def build_model(args: argparse.Namespace, config: str, single_frame: bool = False):
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


def randomize_(model: 'torch.nn.Module', input_size: Tuple[int, int],
               seed: int = 0) -> None:
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
