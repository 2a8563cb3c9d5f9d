"""An independent re-implementation of the original PoseWarper network.

Written for the tests from the structure of facebookresearch/PoseWarper
lib/models/pose_hrnet.py and pose_hrnet_PoseAgg.py: same module names, so
its ``state_dict()`` is laid out exactly as an original checkpoint
(``conv1 bn1 conv2 bn2 layer1 transition1-3 stage2-4 final_layer
offset_feats offsets1-5 deform_conv1-5``), and the original's forward:
frames concatenated on the batch axis, ``diff = ref - sup``,
``0.2 * (w1 + ... + w5)`` and the 5-frame sum
``0.3 cur + 0.25 prev1 + 0.25 next1 + 0.1 prev2 + 0.1 next2``. It shares no
code with the package: MMPose's HRNet is not used and the deformable convs are
torchvision's.
"""
from typing import List, Sequence

import torch
import torch.nn as nn
from torchvision.ops import deform_conv2d

BN_MOMENTUM = 0.1


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.downsample = downsample

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + residual)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, momentum=BN_MOMENTUM)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + residual)


BLOCKS = {'BASIC': BasicBlock, 'BOTTLENECK': Bottleneck}


class HighResolutionModule(nn.Module):

    def __init__(self, block, num_blocks, in_channels, channels,
                 multi_scale_output=True):
        super().__init__()
        self.num_branches = len(channels)
        self.in_channels = list(in_channels)
        branches = []
        for i in range(self.num_branches):
            downsample = None
            if self.in_channels[i] != channels[i] * block.expansion:
                downsample = nn.Sequential(
                    nn.Conv2d(self.in_channels[i], channels[i] *
                              block.expansion, 1, bias=False),
                    nn.BatchNorm2d(channels[i] * block.expansion,
                                   momentum=BN_MOMENTUM))
            layers = [block(self.in_channels[i], channels[i], 1, downsample)]
            self.in_channels[i] = channels[i] * block.expansion
            layers += [
                block(self.in_channels[i], channels[i])
                for _ in range(1, num_blocks[i])
            ]
            branches.append(nn.Sequential(*layers))
        self.branches = nn.ModuleList(branches)
        self.fuse_layers = None
        if self.num_branches > 1:
            c = self.in_channels
            fuse_layers = []
            for i in range(self.num_branches if multi_scale_output else 1):
                row = []
                for j in range(self.num_branches):
                    if j > i:
                        row.append(
                            nn.Sequential(
                                nn.Conv2d(c[j], c[i], 1, 1, 0, bias=False),
                                nn.BatchNorm2d(c[i]),
                                nn.Upsample(
                                    scale_factor=2**(j - i), mode='nearest')))
                    elif j == i:
                        row.append(None)
                    else:
                        convs = []
                        for k in range(i - j):
                            last = k == i - j - 1
                            out_c = c[i] if last else c[j]
                            mods = [
                                nn.Conv2d(c[j], out_c, 3, 2, 1, bias=False),
                                nn.BatchNorm2d(out_c)
                            ]
                            if not last:
                                mods.append(nn.ReLU(True))
                            convs.append(nn.Sequential(*mods))
                        row.append(nn.Sequential(*convs))
                fuse_layers.append(nn.ModuleList(row))
            self.fuse_layers = nn.ModuleList(fuse_layers)
        self.relu = nn.ReLU(True)

    def forward(self, x: List[torch.Tensor]) -> List[torch.Tensor]:
        if self.num_branches == 1:
            return [self.branches[0](x[0])]
        x = [branch(xi) for branch, xi in zip(self.branches, x)]
        out = []
        for i in range(len(self.fuse_layers)):
            y = x[0] if i == 0 else self.fuse_layers[i][0](x[0])
            for j in range(1, self.num_branches):
                y = y + (x[j] if i == j else self.fuse_layers[i][j](x[j]))
            out.append(self.relu(y))
        return out


def _transition(pre: Sequence[int], cur: Sequence[int]) -> nn.ModuleList:
    layers = []
    for i in range(len(cur)):
        if i < len(pre):
            if cur[i] != pre[i]:
                layers.append(
                    nn.Sequential(
                        nn.Conv2d(pre[i], cur[i], 3, 1, 1, bias=False),
                        nn.BatchNorm2d(cur[i]), nn.ReLU(inplace=True)))
            else:
                layers.append(None)
        else:
            convs = []
            for j in range(i + 1 - len(pre)):
                out_c = cur[i] if j == i - len(pre) else pre[-1]
                convs.append(
                    nn.Sequential(
                        nn.Conv2d(pre[-1], out_c, 3, 2, 1, bias=False),
                        nn.BatchNorm2d(out_c), nn.ReLU(inplace=True)))
            layers.append(nn.Sequential(*convs))
    return nn.ModuleList(layers)


class OriginalPoseWarper(nn.Module):
    """The original network for an MMPose-style HRNet ``extra`` dict.

    Args:
        extra (dict): HRNet stages (``stage1`` .. ``stage4``), MMPose keys.
        num_joints (int): Heatmap channels.
        inner_ch (int): Channels of ``offset_feats``.
        num_res_blocks (int): BasicBlocks in ``offset_feats`` (20 there).
        dilations (Sequence[int]): Dilations of ``offsets``/``deform_conv``.
    """

    def __init__(self, extra, num_joints=17, inner_ch=128, num_res_blocks=20,
                 dilations=(3, 6, 12, 18, 24)):
        super().__init__()
        self.dilations = tuple(dilations)
        self.conv1 = nn.Conv2d(3, 64, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(64, 64, 3, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(64, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU(inplace=True)
        s1 = extra['stage1']
        planes = s1['num_channels'][0]
        self.layer1 = nn.Sequential(
            Bottleneck(
                64, planes, 1,
                nn.Sequential(
                    nn.Conv2d(64, planes * 4, 1, bias=False),
                    nn.BatchNorm2d(planes * 4, momentum=BN_MOMENTUM))),
            *[
                Bottleneck(planes * 4, planes)
                for _ in range(1, s1['num_blocks'][0])
            ])
        pre = [planes * 4]
        self.stage_cfgs = []
        for n in (2, 3, 4):
            cfg = extra[f'stage{n}']
            block = BLOCKS[cfg['block']]
            cur = [c * block.expansion for c in cfg['num_channels']]
            setattr(self, f'transition{n - 1}', _transition(pre, cur))
            modules = []
            in_c = cur
            for m in range(cfg['num_modules']):
                last = n == 4 and m == cfg['num_modules'] - 1
                modules.append(
                    HighResolutionModule(block, cfg['num_blocks'], in_c,
                                         cfg['num_channels'],
                                         multi_scale_output=not last))
                in_c = modules[-1].in_channels
            setattr(self, f'stage{n}', nn.Sequential(*modules))
            self.stage_cfgs.append(len(cur))
            pre = in_c
        self.final_layer = nn.Conv2d(pre[0], num_joints, 1, 1, 0)
        # offset_feats: BasicBlock chain, first with a 1x1 downsample
        self.offset_feats = nn.Sequential(
            BasicBlock(
                num_joints, inner_ch, 1,
                nn.Sequential(
                    nn.Conv2d(num_joints, inner_ch, 1, bias=False),
                    nn.BatchNorm2d(inner_ch, momentum=BN_MOMENTUM))),
            *[
                BasicBlock(inner_ch, inner_ch)
                for _ in range(1, num_res_blocks)
            ])
        for k, d in enumerate(self.dilations, 1):
            setattr(
                self, f'offsets{k}',
                nn.Conv2d(inner_ch, num_joints * 2 * 9, 3, 1, d, d,
                          bias=False))
            # the original DeformConv holds only `weight` (no bias)
            dc = nn.Module()
            dc.weight = nn.Parameter(torch.empty(num_joints, num_joints, 3, 3))
            setattr(self, f'deform_conv{k}', dc)

    def randomize(self, seed: int = 0) -> 'OriginalPoseWarper':
        """Random weights and BN statistics; the offset convs get larger
        weights so that samples move by about a pixel or more."""
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                std = 1.0 if name.startswith('offsets') else 0.1
                p.copy_(torch.randn(p.shape, generator=g) * std)
            for name, b in self.named_buffers():
                if name.endswith('running_mean'):
                    b.copy_(torch.randn(b.shape, generator=g) * 0.1)
                elif name.endswith('running_var'):
                    b.copy_(torch.rand(b.shape, generator=g) + 0.5)
        return self

    def backbone_heatmaps(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.relu(self.bn2(self.conv2(x)))
        x = self.layer1(x)
        y = [x]
        for n, num_branches in zip((2, 3, 4), self.stage_cfgs):
            transition = getattr(self, f'transition{n - 1}')
            xs = []
            for i in range(num_branches):
                if transition[i] is not None:
                    xs.append(transition[i](y[-1]))
                else:
                    xs.append(y[i])
            y = getattr(self, f'stage{n}')(xs)
        return self.final_layer(y[0])

    def warp(self, ref: torch.Tensor, sup: torch.Tensor) -> torch.Tensor:
        feats = self.offset_feats(ref - sup)
        out = 0
        for k, d in enumerate(self.dilations, 1):
            offset = getattr(self, f'offsets{k}')(feats)
            out = out + deform_conv2d(
                sup,
                offset,
                getattr(self, f'deform_conv{k}').weight,
                padding=(d, d),
                dilation=(d, d))
        return 0.2 * out

    def forward_aggregate(self, frames: torch.Tensor) -> torch.Tensor:
        """``frames``: (B, 5, 3, H, W) in the original's channel order
        ``ref, prev1, prev2, next1, next2`` (pose_hrnet_PoseAgg.py L538-544).
        """
        b = frames.size(0)
        x = torch.cat([frames[:, i] for i in range(5)], 0)
        hm = self.backbone_heatmaps(x)
        warped = self.warp(hm[:b].repeat(5, 1, 1, 1), hm)
        cur, prev1, prev2, next1, next2 = warped.split(b)
        return (0.3 * cur + 0.25 * prev1 + 0.25 * next1 + 0.1 * prev2 +
                0.1 * next2)
