"""Several seeds: finished runs are reused, mean and spread summarised."""
import json
import os.path as osp
import shutil

import pytest

from projects.sparse_benchmark.sparse_benchmark import (BenchmarkSettings,
                                                        run_seeds)
from projects.sparse_benchmark.sparse_benchmark.run_folder import \
    settings_record
from projects.sparse_benchmark.sparse_benchmark.settings import CONFIG_DIR

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def _fake_run(out, seed, value):
    run = out / f'seed_{seed}'
    run.mkdir(parents=True)
    # what a finished quick run of this seed records
    # (made elsewhere and copied here: where it ran does not matter)
    (run / 'settings.json').write_text(json.dumps(settings_record(
        BenchmarkSettings(out_dir=str(out / 'elsewhere'), quick=True,
                          seed=seed))))
    (run / 'results.json').write_text(json.dumps(dict(
        propagation=dict(posewarper=value, optical_flow=50.0),
        propagation_by_distance=dict(posewarper={'1': value + 1}),
        wall_seconds=10.0 * seed)))


def _copy_configs(checkout):
    """The stage configs in another checkout: the project's configs and the
    repository's configs/ they inherit from, at the same relative places;
    returns the copy's config dir."""
    shutil.copytree(osp.join(REPO, 'configs'), checkout / 'configs')
    config_dir = checkout / osp.relpath(CONFIG_DIR, REPO)
    shutil.copytree(CONFIG_DIR, config_dir)
    return config_dir


def test_finished_seeds_are_reused_and_summarised(tmp_path):
    for seed, value in ((0, 40.0), (1, 44.0), (2, 42.0)):
        _fake_run(tmp_path, seed, value)
    # quick: no pretrained checkpoint needed; nothing is trained here
    settings = BenchmarkSettings(out_dir=str(tmp_path), quick=True)
    out = run_seeds(settings, [0, 1, 2])
    stats = out['summary']['propagation.posewarper']
    assert stats['mean'] == 42.0 and stats['std'] == 2.0
    assert (stats['min'], stats['max']) == (40.0, 44.0)
    assert out['summary']['propagation_by_distance.posewarper.1'][
        'mean'] == 43.0
    assert out['summary']['propagation.optical_flow']['std'] == 0.0
    saved = json.loads((tmp_path / 'seeds.json').read_text())
    assert saved['seeds'] == [0, 1, 2]
    table = (tmp_path / 'seeds.md').read_text()
    assert '| `propagation.posewarper` | 40.0 | 44.0 | 42.0 | 42.0 ± 2.0 |' \
        in table
    assert 'wall_seconds' not in table


def test_a_finished_seed_of_other_settings_is_refused(tmp_path):
    """A seed directory left by a run with another checkpoint or options is
    not silently reused."""
    _fake_run(tmp_path, 0, 40.0)
    settings_file = tmp_path / 'seed_0' / 'settings.json'
    record = json.loads(settings_file.read_text())
    record['pretrained_sha256'] = 'e9c1' + '0' * 60  # another checkpoint
    settings_file.write_text(json.dumps(record))
    settings = BenchmarkSettings(out_dir=str(tmp_path), quick=True)
    with pytest.raises(ValueError, match=r'seed_0/settings.json.*'
                       r'pretrained_sha256'):
        run_seeds(settings, [0])
    settings_file.unlink()
    with pytest.raises(ValueError, match='differ or are missing'):
        run_seeds(settings, [0])
    assert not (tmp_path / 'seeds.json').exists()


def test_a_finished_seed_is_the_same_run_wherever_its_inputs_lie(tmp_path):
    """The same checkpoint bytes at another path and the same configs in
    another checkout make the same run (the sha256s say what they are)."""
    configs = _copy_configs(tmp_path / 'checkout')
    first, moved = tmp_path / 'first.pth', tmp_path / 'moved.pth'
    first.write_bytes(b'weights')
    moved.write_bytes(b'weights')
    run = tmp_path / 'runs' / 'seed_0'
    run.mkdir(parents=True)
    (run / 'settings.json').write_text(json.dumps(settings_record(
        BenchmarkSettings(out_dir=str(tmp_path / 'elsewhere'),
                          pretrained=str(first),
                          config_dir=str(configs)))))
    (run / 'results.json').write_text(json.dumps(dict(
        propagation=dict(posewarper=40.0, optical_flow=50.0),
        wall_seconds=1.0)))
    settings = BenchmarkSettings(out_dir=str(tmp_path / 'runs'),
                                 pretrained=str(moved))
    assert run_seeds(settings, [0])['per_seed']['0']['propagation'][
        'posewarper'] == 40.0
    moved.write_bytes(b'other weights')
    with pytest.raises(ValueError, match=r'\(pretrained_sha256 differ'):
        run_seeds(settings, [0])


def test_a_finished_seed_of_edited_configs_is_refused(tmp_path):
    """A stage config edited under the same name, here through a base file
    it inherits, makes another run: its finished seed is not reused; a
    comment is no change."""
    configs = _copy_configs(tmp_path / 'checkout')
    config_dir = str(configs)
    settings = BenchmarkSettings(out_dir=str(tmp_path / 'runs'), quick=True,
                                 config_dir=config_dir)
    run = tmp_path / 'runs' / 'seed_0'
    run.mkdir(parents=True)
    (run / 'settings.json').write_text(json.dumps(settings_record(settings)))
    (run / 'results.json').write_text(json.dumps(dict(
        propagation=dict(posewarper=40.0, optical_flow=50.0),
        wall_seconds=1.0)))
    base = configs / 'posewarper_hrnet-small_sparse_128x96.py'
    base.write_text(base.read_text() + '\n# a comment changes nothing\n')
    assert run_seeds(settings, [0])['per_seed']['0']['propagation'][
        'posewarper'] == 40.0
    base.write_text(base.read_text() + "\nauto_scale_lr = dict(base_batch_size=8)\n")
    with pytest.raises(ValueError, match='stage_configs_sha256'):
        run_seeds(settings, [0])


def test_goal_margins_are_paired_per_seed_and_counted(tmp_path):
    for seed, value in ((0, 40.0), (1, 44.0), (2, 56.0)):
        _fake_run(tmp_path, seed, value)
    settings = BenchmarkSettings(out_dir=str(tmp_path), quick=True)
    out = run_seeds(settings, [0, 1, 2])
    # PoseWarper - flow per seed: -10, -6, +6 (the goal asks for >= 5)
    margin = out['numbers']['2']['goal.PoseWarper - optical flow (propagation)']
    assert margin == 6.0
    stats = out['summary']['goal.PoseWarper - optical flow (propagation)']
    assert (stats['min'], stats['max']) == (-10.0, 6.0)
    table = (tmp_path / 'seeds.md').read_text()
    assert ('| PoseWarper - optical flow (propagation) | ≥ 5 | -10.0 | -6.0 '
            '| 6.0 | -3.3 ± 8.3 | 1 of 3 |') in table
    # goals whose numbers a run lacks are left out, not guessed
    assert 'aggregation' not in table


def test_publish_seeds_rewrites_readme_block(tmp_path):
    from projects.sparse_benchmark.sparse_benchmark.report import (
        SEEDS_BEGIN, SEEDS_END, publish_seeds)
    for seed, value in ((0, 40.0), (1, 44.0)):
        _fake_run(tmp_path / 'runs', seed, value)
    run_seeds(BenchmarkSettings(out_dir=str(tmp_path / 'runs'), quick=True),
              [0, 1])
    readme = tmp_path / 'README.md'
    readme.write_text(f'head\n{SEEDS_BEGIN}\nold\n{SEEDS_END}\ntail\n')
    copied = publish_seeds(str(tmp_path / 'runs'), str(tmp_path / 'pub'),
                           str(readme))
    assert sorted(p.rsplit('/', 1)[1] for p in copied) == ['seeds.json',
                                                          'seeds.md']
    text = readme.read_text()
    assert text.startswith('head\n') and text.endswith('tail\n')
    assert 'old' not in text
    assert (tmp_path / 'pub' / 'seeds.md').read_text().strip() in text
    with pytest.raises(FileNotFoundError, match='seeds.json'):
        publish_seeds(str(tmp_path / 'runs' / 'seed_0'), str(tmp_path / 'x'))


def test_doc_shows_the_published_seeds():
    """docs/sparse_benchmark.md's several-seed tables are
    docs/results/seeds.json's."""
    from projects.sparse_benchmark.sparse_benchmark.report import (SEEDS_BEGIN,
                                                                   SEEDS_END,
                                                                   seeds_block)

    from .test_report import DOC, PUBLISHED, published_block
    assert published_block(SEEDS_BEGIN, SEEDS_END, DOC).strip() == \
        seeds_block(PUBLISHED).strip()


def test_cli_takes_seed_or_seeds_not_both():
    from .test_quick_run import load_tool
    tool = load_tool()
    assert tool.parse_args(['--out', 'x', '--seeds', '0', '1']).seeds == [0, 1]
    with pytest.raises(SystemExit):
        tool.parse_args(['--out', 'x', '--seed', '1', '--seeds', '0'])
    assert tool.parse_args(['--out', 'x', '--from-scratch']).from_scratch
