"""tools/convert_checkpoint.py against an independent re-implementation of
the original network (tests/test_models/test_utils/_original_reference.py)."""
import importlib.util
import os.path as osp
import re
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

import mmpose_posewarper.models  # noqa: F401
from mmpose_posewarper.models.utils import convert_state_dict

from ._original_reference import OriginalPoseWarper

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
TINY_STAGE2 = osp.join(ROOT, 'configs/posewarper/tiny/posewarper_tiny_64x48.py')
TINY_STAGE1 = osp.join(ROOT, 'configs/posewarper/tiny/topdown_tiny_64x48.py')
HRNET_KEYS = ('conv1', 'bn1', 'conv2', 'bn2', 'layer1', 'transition',
              'stage')


def _tool(name, folder='tools'):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, folder, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference():
    cfg = Config.fromfile(TINY_STAGE2)
    neck = cfg.model.neck
    return OriginalPoseWarper(
        cfg.model.backbone.extra,
        num_joints=17,
        inner_ch=neck.inner_channels,
        num_res_blocks=neck.res_blocks_cfg.num_blocks,
        dilations=neck.dilations).randomize(seed=3).eval()


def _build(path):
    return MODELS.build(Config.fromfile(path).model).eval()


def _to_mmpose0x(state_dict):
    """The MMPose 0.x PoseWarper layout (mmpose v0.29.0 necks/
    posewarper_neck.py attribute names, ``backbone.`` prefix)."""
    out = OrderedDict()
    for k, v in state_dict.items():
        k = re.sub(r'^final_layer\.', 'neck.trans_layer.', k)
        k = re.sub(r'^offset_feats\.', 'neck.offset_feats.', k)
        k = re.sub(r'^offsets(\d)\.',
                   lambda m: f'neck.offset_layers.{int(m[1]) - 1}.', k)
        k = re.sub(r'^deform_conv(\d)\.',
                   lambda m: f'neck.deform_conv_layers.{int(m[1]) - 1}.', k)
        if k.startswith(HRNET_KEYS):
            k = 'backbone.' + k
        out[k] = v
    return out


def _frames(b=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, 5, 3, 64, 48, generator=g)


def _ours(model, frames):
    """Our frame order [t, t-2, t-1, t+1, t+2] from the original's
    [t, t-1, t-2, t+1, t+2]."""
    x = frames[:, [0, 2, 1, 3, 4]]
    weights = np.array([0.3, 0.1, 0.25, 0.25, 0.1], dtype=np.float32)
    samples = [
        PoseDataSample(metainfo=dict(frame_weights=weights))
        for _ in range(x.shape[0])
    ]
    with torch.no_grad():
        return model(x, samples, mode='tensor')


@pytest.mark.parametrize('layout', ['original', 'original-dataparallel',
                                    'mmpose0x'])
def test_converted_checkpoint_reproduces_original_forward(tmp_path, layout):
    ref = _reference()
    state = ref.state_dict()
    if layout == 'original-dataparallel':
        state = OrderedDict(('module.' + k, v) for k, v in state.items())
        checkpoint = dict(state_dict=state, epoch=3)  # checkpoint.pth style
    elif layout == 'mmpose0x':
        checkpoint = dict(state_dict=_to_mmpose0x(state),
                          meta=dict(mmpose_version='0.29.0'))
    else:
        checkpoint = state  # the original's final_state.pth: bare
    src = 'mmpose0x' if layout == 'mmpose0x' else 'original'
    inp, out = str(tmp_path / 'in.pth'), str(tmp_path / 'out.pth')
    torch.save(checkpoint, inp)

    rc = _tool('convert_checkpoint').main(
        ['--src', src, inp, out, '--config', TINY_STAGE2])
    assert rc == 0
    converted = torch.load(out, map_location='cpu', weights_only=True)
    model = _build(TINY_STAGE2)
    model.load_state_dict(converted['state_dict'], strict=True)

    frames = _frames()
    with torch.no_grad():
        expected = ref.forward_aggregate(frames)
        # the warp matters: the plain weighted sum of heatmaps differs
        hm = ref.backbone_heatmaps(frames.transpose(0, 1).flatten(0, 1))
        unwarped = sum(w * h for w, h in zip(
            (0.3, 0.25, 0.1, 0.25, 0.1), hm.split(frames.shape[0])))
    assert (expected - unwarped).abs().max() > 0.1 * expected.abs().max()
    actual = _ours(model, frames)
    torch.testing.assert_close(actual, expected, atol=1e-5, rtol=1e-4)


def test_stage1_original_checkpoint_to_topdown(tmp_path):
    ref = _reference()
    state = OrderedDict((k, v) for k, v in ref.state_dict().items()
                        if k.startswith(HRNET_KEYS + ('final_layer', )))
    # checkpoints of old PyTorch have no BN counters
    state = OrderedDict((k, v) for k, v in state.items()
                        if not k.endswith('num_batches_tracked'))
    inp, out = str(tmp_path / 'in.pth'), str(tmp_path / 'out.pth')
    torch.save(state, inp)
    rc = _tool('convert_checkpoint').main(
        ['--src', 'original', inp, out, '--config', TINY_STAGE1])
    assert rc == 0
    model = _build(TINY_STAGE1)
    model.load_state_dict(
        torch.load(out, weights_only=True)['state_dict'], strict=True)
    x = _frames(1)[:, 0]
    with torch.no_grad():
        torch.testing.assert_close(
            model(x, None, mode='tensor'), ref.backbone_heatmaps(x),
            atol=1e-5, rtol=1e-4)


def test_problems_are_reported_and_nothing_written(tmp_path, capsys):
    state = _reference().state_dict()
    state['offsets9.extra'] = torch.zeros(1)  # unknown key
    state['deform_conv2.weight'] = torch.zeros(17, 17, 5, 5)  # wrong shape
    del state['offset_feats.1.conv2.weight']  # missing
    inp, out = str(tmp_path / 'in.pth'), str(tmp_path / 'out.pth')
    torch.save(state, inp)
    from mmpose_posewarper.utils.cli import run_tool
    rc = run_tool(_tool('convert_checkpoint').main,
                  ['--src', 'original', inp, out, '--config', TINY_STAGE2])
    assert rc == 2 and not osp.exists(out)
    captured = capsys.readouterr()
    assert f'error: checkpoint {inp}: does not fit' in captured.err
    printed = captured.out
    assert 'unexpected (1):' in printed and 'neck.offset_layers.8.extra' \
        in printed
    assert 'shape_mismatch (1):' in printed and \
        'neck.deform_conv_layers.1.weight: (17, 17, 5, 5)' in printed
    assert 'missing (1):' in printed and \
        'neck.offset_feats.1.conv2.weight' in printed


def test_unknown_source_keys_are_unmapped():
    _, report = convert_state_dict(
        {'final_layer.weight': torch.zeros(1), 'foo.bar': torch.zeros(1),
         'keypoint_head.deconv_layers.0.weight': torch.zeros(1)}, 'original')
    assert report.unmapped == ['foo.bar', 'keypoint_head.deconv_layers.0.'
                               'weight']
    assert report.mapped == [('final_layer.weight', 'head.final_layer.weight')]
    _, report = convert_state_dict(
        {'keypoint_head.final_layer.weight': torch.zeros(1),
         'backbone.conv1.weight': torch.zeros(1)}, 'mmpose0x')
    assert report.mapped[0] == ('keypoint_head.final_layer.weight',
                                'head.final_layer.weight')
    with pytest.raises(ValueError, match='source'):
        convert_state_dict({}, 'mmpose2x')


def test_count_params_tool(capsys):
    rc = _tool('count_params', 'tools/analysis_tools').main([TINY_STAGE2])
    assert rc == 0
    printed = capsys.readouterr().out
    rows = dict(re.findall(r'^\s+(\S+)\s+([\d,]+)$', printed, re.M))
    model = _build(TINY_STAGE2)
    warping = sum(p.numel() for n, p in model.named_parameters()
                  if n.startswith(('neck.offset', 'neck.deform')))
    assert int(rows['warping'].replace(',', '')) == warping
    assert int(rows['trainable'].replace(',', '')) == warping
    assert int(rows['total'].replace(',', '')) == sum(
        p.numel() for p in model.parameters())


# ------------------------------------------- inputs, outputs, integrity
def _original_checkpoint(path):
    torch.save(_reference().state_dict(), str(path))
    return str(path)


def test_output_equal_to_input_is_refused(tmp_path):
    inp = _original_checkpoint(tmp_path / 'x.pth')
    before = open(inp, 'rb').read()
    tool = _tool('convert_checkpoint')
    for extra in ([], ['--overwrite']):
        with pytest.raises(ValueError, match=r'OUT .*x.pth: would overwrite '
                           'or delete the input'):
            tool.main(['--src', 'original', inp, inp, '--config',
                       TINY_STAGE2, *extra])
        # the same file under another name
        link = tmp_path / 'link.pth'
        if not link.exists():
            link.symlink_to(inp)
        with pytest.raises(ValueError, match='the input'):
            tool.main(['--src', 'original', inp, str(link), *extra])
    assert open(inp, 'rb').read() == before


def test_existing_output_needs_overwrite_and_is_replaced_atomically(
        tmp_path):
    inp = _original_checkpoint(tmp_path / 'in.pth')
    out = tmp_path / 'out.pth'
    out.write_bytes(b'earlier')
    argv = ['--src', 'original', inp, str(out), '--config', TINY_STAGE2]
    tool = _tool('convert_checkpoint')
    with pytest.raises(FileExistsError, match=r'out.pth: exists.*--overwrite'):
        tool.main(argv)
    assert out.read_bytes() == b'earlier'
    assert tool.main(argv + ['--overwrite']) == 0
    torch.load(str(out), weights_only=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['in.pth', 'out.pth']
    (tmp_path / 'a_dir.pth').mkdir()
    with pytest.raises(FileExistsError, match='a_dir.pth: is a directory'):
        tool.main(['--src', 'original', inp, str(tmp_path / 'a_dir.pth')])


@pytest.mark.parametrize('content, problem', [
    (None, 'no such file'),
    (b'', r'the file is empty \(0 bytes\)'),
    (b'checkpoint: see the wiki\n', 'not a PyTorch checkpoint: it is text'),
])
@pytest.mark.parametrize('unsafe', [False, True])
def test_unreadable_inputs_name_the_problem(tmp_path, content, problem,
                                            unsafe):
    inp = tmp_path / 'in.pth'
    if content is not None:
        inp.write_bytes(content)
    with pytest.raises(ValueError, match=rf'in.pth: {problem}') as info:
        _tool('convert_checkpoint').main(
            ['--src', 'original', str(inp), str(tmp_path / 'out.pth'),
             *(['--unsafe-load'] if unsafe else [])])
    # the file is not untrusted, it is broken: no --unsafe-load advice
    assert '--unsafe-load' not in str(info.value)
    assert not (tmp_path / 'out.pth').exists()


class _Legacy:
    """Metadata an old checkpoint pickles (refused by weights-only load)."""


def test_unsafe_load_advice_only_for_intact_files(tmp_path):
    inp = str(tmp_path / 'in.pth')
    torch.save({'state_dict': _reference().state_dict(), 'meta': _Legacy()},
               inp)
    with pytest.raises(ValueError, match=r'in.pth: it pickles objects that '
                       r'safe .* refuses.*rerun with --unsafe-load'):
        _tool('convert_checkpoint').main(
            ['--src', 'original', inp, str(tmp_path / 'out.pth')])
    assert _tool('convert_checkpoint').main(
        ['--src', 'original', inp, str(tmp_path / 'out.pth'), '--config',
         TINY_STAGE2, '--unsafe-load']) == 0


@pytest.mark.parametrize('content, problem', [
    ([1, 2, 3], 'a checkpoint must be a dict, got a list'),
    ({'state_dict': [1]}, 'state_dict is a list, not a dict of tensors'),
    ({'epoch': 3}, "state dict entry 'epoch' is a int, not a tensor"),
])
def test_foreign_content_names_file_and_problem(tmp_path, content, problem):
    inp = tmp_path / 'in.pth'
    torch.save(content, str(inp))
    with pytest.raises(ValueError,
                       match=rf'checkpoint .*in.pth: {problem}: not a '
                       'checkpoint of model weights'):
        _tool('convert_checkpoint').main(
            ['--src', 'original', str(inp), str(tmp_path / 'out.pth')])
