"""ChannelsLastHook: the model's convolutions run channels-last, with the
same parameters (an optimizer built before the hook keeps training them)
and the same outputs up to float rounding."""
import copy
from types import SimpleNamespace

import torch
import torch.nn as nn

from mmpose.registry import HOOKS
from mmpose_posewarper.engine.hooks import ChannelsLastHook


def small_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8),
                         nn.ReLU(), nn.Conv2d(8, 4, 3, padding=2, dilation=2))


def test_registered_in_mmpose_hooks():
    assert HOOKS.get('ChannelsLastHook') is ChannelsLastHook


def test_weights_channels_last_same_parameters_same_outputs():
    model = small_net().eval()
    reference = copy.deepcopy(model)
    params = list(model.parameters())
    optimizer = torch.optim.SGD(params, lr=0.1)
    ChannelsLastHook().before_run(SimpleNamespace(model=model))

    conv = model[0].weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    assert not reference[0].weight.is_contiguous(
        memory_format=torch.channels_last)
    assert all(a is b for a, b in zip(params, model.parameters()))

    x = torch.rand(2, 3, 16, 12)
    out = model(x)
    assert out.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, reference(x), rtol=1e-5, atol=1e-6)

    # the optimizer built before the hook still updates the model
    before = conv.detach().clone()
    model.train()
    model(x).sum().backward()
    optimizer.step()
    assert not torch.equal(before, model[0].weight.detach())


def test_checkpoint_loads_into_converted_model():
    model = small_net()
    state = copy.deepcopy(small_net().state_dict())
    ChannelsLastHook().before_run(SimpleNamespace(model=model))
    model.load_state_dict(state)
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(model[0].weight, state['0.weight'])
