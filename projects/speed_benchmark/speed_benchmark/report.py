"""The summary of the children's results: one dict (the JSON line) and the
printed table."""
import argparse
import os
from typing import Any, Dict

from .inputs import config_input_size
from .settings import OPT_REWRITES


def _max_diff(a, b) -> float:
    import numpy as np
    return float(np.abs(np.array(a) - np.array(b)).max())


#: per-frame times of the paired run (``single_s`` is renamed)
PAIRED_TIMES = ('recompute_s', 'cached_s', 'cached_interior_s', 'cached_opt_s',
                'cached_opt_interior_s', 'backbone_s', 'warp_pair_s')
#: deformable conv timings and agreement (the ``components`` child)
DCN_RESULTS = ('dcn_mmcv_s', 'dcn_torchvision_s', 'dcn_mmcv_fwd_bwd_s',
               'dcn_torchvision_fwd_bwd_s', 'dcn_max_err', 'dcn_grid_sample_s',
               'dcn_grid_sample_fwd_bwd_s', 'dcn_grid_sample_max_err')
#: multiply-accumulates per output frame (``single`` is renamed)
GMAC_PARTS = ('recompute', 'cached', 'cached_opt', 'backbone', 'heatmap_layer',
              'warp_pair', 'warp_offset_feats', 'warp_offset_convs',
              'warp_deform_convs')


def _per_rss_method(r: Dict[str, dict], key: str) -> Dict[str, float]:
    """``key`` of each ``rss_<method>`` child, by method (MB, rounded)."""
    return {
        m[len('rss_'):]: round(v[key], 1)
        for m, v in r.items() if m.startswith('rss_')
    }


def summarize(args: argparse.Namespace, r: Dict[str, dict]) -> dict:
    """One dict of the children's results ``r`` (method -> its JSON), with
    ratios and the run's settings: the benchmark's JSON line. A value whose
    step was not run is NaN."""
    nan = float('nan')
    p, comp = r.get('paired', {}), r.get('components', {})
    g = p.get('gmac', {})
    kpts = p.get('keypoints', {})
    # the children's values under the summary's names, in the JSON's order
    s = dict(single_frame_s=p.get('single_s', nan))
    s.update({key: p.get(key, nan) for key in PAIRED_TIMES})
    s.update(
        peak_rss_mb=_per_rss_method(r, 'peak_rss_mb'),
        rss_setup_mb=_per_rss_method(r, 'rss_setup_mb'))
    s.update({key: comp.get(key, nan) for key in DCN_RESULTS})
    s.update(
        dcn_offset_grad_mismatches=dict(
            torchvision=comp.get('dcn_torchvision_offset_grad_mismatches'),
            grid_sample=comp.get('dcn_grid_sample_offset_grad_mismatches'),
            of=comp.get('dcn_offset_grad_elements')),
        train_iter_s=r.get('train', {}).get('train_iter_s', nan),
        gmac=dict(
            single_frame=g.get('single', nan),
            **{part: g.get(part, nan)
               for part in GMAC_PARTS}),
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


def nan_to_none(value: Any) -> Any:
    """``value`` with every NaN float, also inside dicts and lists, as
    ``None`` (strict JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nan_to_none(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value
