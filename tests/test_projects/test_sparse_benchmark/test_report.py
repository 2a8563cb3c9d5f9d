"""Table, plot and picture strip."""
import json
import os.path as osp

import cv2

from mmpose_posewarper.datasets.posetrack_videos import frame_number
from projects.sparse_benchmark.sparse_benchmark import RESULT_KEYS
from projects.sparse_benchmark.sparse_benchmark.report import (bar_plot,
                                                               markdown_table,
                                                               picture_strip)


def fake_results():
    results = {sec: {k: 10.0 * (i + 1) for i, k in enumerate(keys)}
               for sec, keys in RESULT_KEYS.items()}
    results['wall_seconds'] = 12.0
    return results


def test_table_has_every_result_and_the_controls():
    table = markdown_table(fake_results(),
                           {'self_propagation': {'a': 99.5, 'b': 100.0},
                            'shuffled_frames': {'a': 3.25, 'b': 7.0}})
    for sec, keys in RESULT_KEYS.items():
        for key in keys:
            assert f'`{sec}.{key}`' in table
    assert '| control (sanity check) | a | b |' in table
    assert '| 99.5 | 100.0 |' in table and '| 3.2 | 7.0 |' in table
    assert 'Wall time: 12 s' in table


def test_plot_is_written(tmp_path):
    path = tmp_path / 'plot.png'
    bar_plot(fake_results(), str(path))
    img = cv2.imread(str(path))
    assert img is not None and img.shape[0] > 100


def test_strip_has_a_row_per_method_and_a_column_per_frame(small_data,
                                                           tmp_path):
    root, gt, _ = small_data
    name = sorted(gt)[0]
    video = gt[name]
    t_of = {img['id']: frame_number(img) for img in video['images']}
    at = {t: [a for a in video['annotations'] if t_of[a['image_id']] == t]
          for t in range(4)}
    preds = {'a': at, 'b': {1: at[1]}}
    path = tmp_path / 'strip.jpg'
    sheet = picture_strip(video, preds, [0, 1, 2, 3], root, str(path),
                          source_frame=0, scale=1.0)
    h, w = video['images'][0]['height'], video['images'][0]['width']
    assert sheet.shape == (3 * h, 4 * w, 3)
    assert cv2.imread(str(path)).shape == sheet.shape


REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
PUBLISHED = osp.join(REPO, 'docs', 'results')
#: where tools/publish_results.py writes the tables: the headline table
#: (--readme), the several-seed, effort and label-budget tables (--doc)
README = osp.join(REPO, 'README.md')
DOC = osp.join(REPO, 'docs', 'sparse_benchmark.md')


def published_block(begin: str, end: str, path: str = README) -> str:
    """The text of one of the repository's documents between two markers
    (each pair stands there once)."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    assert text.count(begin) == 1 and text.count(end) == 1, path
    return text[text.index(begin) + len(begin):text.index(end)]


def test_the_published_run_used_the_stage_configs_as_mmengine_reads_them():
    """The published run's settings.json records the sha256 of each stage
    config as MMEngine read it (``run_folder.stage_config_sha256``: bases
    merged, comments ignored); the stage configs of this checkout read the
    same (they moved into projects/sparse_benchmark/configs/ unchanged), so
    command 1 runs the published settings. A config changed on purpose
    needs a new published run (tools/publish_results.py)."""
    from projects.sparse_benchmark.sparse_benchmark.run_folder import \
        stage_config_sha256
    from projects.sparse_benchmark.sparse_benchmark.settings import (
        CONFIG_DIR, CONFIGS, STAGES)
    with open(osp.join(PUBLISHED, 'settings.json'), encoding='utf-8') as f:
        recorded = json.load(f)['stage_configs_sha256']
    assert {stage: stage_config_sha256(osp.join(
        CONFIG_DIR, CONFIGS['default'][stage])) for stage in STAGES} == recorded


def test_readme_shows_the_published_run():
    """README's results table is the table of docs/results/results.json, as
    tools/publish_results.py wrote it."""
    from projects.sparse_benchmark.sparse_benchmark.report import (
        README_BEGIN, README_END, results_block)
    assert published_block(README_BEGIN, README_END).strip() == \
        results_block(PUBLISHED).strip()


def publish_into_readme(publish, run, tmp_path, markers):
    """Publish ``run`` into ``tmp_path/pub`` and a small README with the
    block ``markers``; check that only the block was rewritten and return
    the README's text."""
    begin, end = markers
    readme = tmp_path / 'README.md'
    readme.write_text(f'head\n{begin}\nold\n{end}\ntail\n')
    publish(str(run), str(tmp_path / 'pub'), str(readme))
    text = readme.read_text()
    assert text.startswith('head\n') and text.endswith('tail\n')
    assert 'old' not in text
    return text


def test_publish_rewrites_only_the_block(tmp_path):
    import json

    import pytest

    from projects.sparse_benchmark.sparse_benchmark.report import (
        PUBLISHED_FILES, README_BEGIN, README_END, publish_results)
    run = tmp_path / 'run'
    run.mkdir()
    for name in PUBLISHED_FILES:
        (run / name).write_text('x')
    (run / 'results.json').write_text(json.dumps(fake_results()))
    (run / 'controls.json').write_text(json.dumps(
        {'self_propagation': {'a': 99.5}, 'timings': {'x': 1}}))
    # every JSON file of the run is parsed before anything is published
    (run / 'settings.json').write_text('{}')
    text = publish_into_readme(publish_results, run, tmp_path,
                               (README_BEGIN, README_END))
    assert '`propagation.posewarper`' in text
    assert (tmp_path / 'pub' / 'results.json').is_file()
    (run / 'results.png').unlink()
    with pytest.raises(FileNotFoundError, match='results.png'):
        publish_results(str(run), str(tmp_path / 'pub2'))


def test_a_misspelled_section_is_refused(tmp_path):
    """Every section of results.json is optional (domain_gap came later):
    a misspelled one was published as if the section were absent, its
    rows silently left out of the table (issue 27)."""
    import pytest

    from mmpose_posewarper.utils.json_file import JSONFileError
    from projects.sparse_benchmark.sparse_benchmark.report import (
        PUBLISHED_FILES, publish_results)
    run = tmp_path / 'run'
    run.mkdir()
    for name in PUBLISHED_FILES:
        (run / name).write_text('x')
    results = fake_results()
    results['propagatoin'] = results.pop('propagation')
    (run / 'results.json').write_text(json.dumps(results))
    for name in ('controls.json', 'settings.json'):
        (run / name).write_text('{}')
    with pytest.raises(JSONFileError, match=r'run/results.json: '
                       r'propagatoin: unknown field \(expected aggregation'):
        publish_results(str(run), str(tmp_path / 'pub'))
    assert not (tmp_path / 'pub').exists()
    # the same for controls.json: a misspelled key would become a row
    results['propagation'] = results.pop('propagatoin')
    (run / 'results.json').write_text(json.dumps(results))
    (run / 'controls.json').write_text(json.dumps({'timing': {'x': 1.0}}))
    with pytest.raises(JSONFileError, match=r'run/controls.json: '
                       r'timing: unknown field \(expected reused_stages'):
        publish_results(str(run), str(tmp_path / 'pub'))
    assert not (tmp_path / 'pub').exists()


def test_tables_stand_where_the_tool_writes_them():
    """Each generated table stands once, in the file publish_results.py
    writes it to: the headline table in README, the several-seed and
    effort and label-budget tables in docs/sparse_benchmark.md."""
    from projects.sparse_benchmark.sparse_benchmark import (effort,
                                                            label_budgets,
                                                            report)
    with open(README, encoding='utf-8') as f:
        readme = f.read()
    with open(DOC, encoding='utf-8') as f:
        doc = f.read()
    for marker in (report.README_BEGIN, report.README_END):
        assert readme.count(marker) == 1 and marker not in doc
    for marker in (report.SEEDS_BEGIN, report.SEEDS_END,
                   effort.DOC_BEGIN, effort.DOC_END,
                   label_budgets.DOC_BEGIN, label_budgets.DOC_END):
        assert doc.count(marker) == 1 and marker not in readme


def test_doc_goals_table_agrees_with_the_published_json():
    """The hand-written goals table of docs/sparse_benchmark.md quotes the
    default run (docs/results/results.json) and the several-seed margins
    (docs/results/seeds.json): each quoted number is theirs."""
    import json

    with open(osp.join(PUBLISHED, 'results.json'), encoding='utf-8') as f:
        results = json.load(f)
    with open(osp.join(PUBLISHED, 'seeds.json'), encoding='utf-8') as f:
        summary = json.load(f)['summary']
    with open(DOC, encoding='utf-8') as f:
        rows = {line.split('|')[1].strip(): line.split('|')[2:-1]
                for line in f if line.startswith('| ')}

    def value(key):
        section, name = key.split('.')
        return results[section][name]

    def signed(x):
        return f'{"−" if x < 0 else "+"}{abs(x):.1f}'

    goals = {  # row of the table: (minuend, subtrahend, seeds.json margin)
        'two-sided PoseWarper ≥ interpolation + 5':
        ('propagation.two_sided_posewarper', 'propagation.interpolation',
         'goal.two-sided PoseWarper - interpolation (propagation)'),
        'two-sided PoseWarper ≥ two-sided flow + 2':
        ('propagation.two_sided_posewarper',
         'propagation.two_sided_optical_flow',
         'goal.two-sided PoseWarper - two-sided flow (propagation)'),
        'PoseWarper propagation ≥ optical flow + 5':
        ('propagation.posewarper', 'propagation.optical_flow',
         'goal.PoseWarper - optical flow (propagation)'),
        'PoseWarper above copy-nearest':
        ('propagation.posewarper', 'propagation.copy_nearest',
         'goal.PoseWarper - copy nearest (propagation)'),
        'PoseWarper above the single-frame estimator':
        ('propagation.posewarper', 'propagation.single_frame',
         'goal.PoseWarper - single frame (propagation)'),
        'sparse + propagated labels > sparse only':
        ('augmentation.sparse_plus_propagated', 'augmentation.sparse_only',
         'goal.sparse + propagated - sparse only (augmentation)'),
        'temporal aggregation > single frame':
        ('aggregation.temporal', 'aggregation.single_frame',
         'goal.temporal - single frame (aggregation)'),
        'sparse + ground truth ≥ sparse only + 3 (the bound)':
        ('augmentation.sparse_plus_ground_truth', 'augmentation.sparse_only',
         'goal.sparse + ground truth - sparse only (the augmentation bound)'),
        'fine-tuning raises the pretrained model on the videos':
        ('aggregation.single_frame', 'domain_gap.pretrained',
         'goal.fine-tuned - pretrained, val videos (domain gap)'),
    }
    for goal, (minuend, subtrahend, margin) in goals.items():
        default_run, _, seeds = (c.strip() for c in rows[goal][:3])
        assert default_run == (f'{value(minuend):.1f} vs '
                               f'{value(subtrahend):.1f}'), goal
        spread = summary[margin]
        assert seeds.startswith(f'{signed(spread["mean"])} ± '
                                f'{spread["std"]:.1f},'), goal
    # half the bound: the propagated labels' gain against half the true
    # labels' (the margin over the mean of sparse only and the bound)
    default_run, _, seeds = (c.strip() for c in rows[
        'sparse + propagated ≥ sparse only + half the bound'][:3])
    half = (value('augmentation.sparse_only') +
            value('augmentation.sparse_plus_ground_truth')) / 2
    assert default_run == (f'{value("augmentation.sparse_plus_propagated"):.1f}'
                           f' vs {half:.1f}')
    spread = summary['goal.sparse + propagated - half way to the bound '
                     '(augmentation)']
    assert seeds.startswith(f'{signed(spread["mean"])} ± '
                            f'{spread["std"]:.1f},')


def test_table_says_which_stages_a_run_reused():
    table = markdown_table(fake_results(), reused=['single_frame',
                                                   'posewarper'])
    assert ('Wall time: 12 s (the finished steps single_frame, posewarper '
            'reused from an earlier run in the same folder).') in table


def test_doc_shows_the_published_effort(tmp_path):
    """docs/sparse_benchmark.md's effort tables are made from
    docs/results/effort.json, and publishing the effort of several seeds
    rewrites only that block."""
    import json

    from projects.sparse_benchmark.sparse_benchmark.effort import (
        DOC_BEGIN, DOC_END, effort_summary_table, publish_effort)
    with open(osp.join(PUBLISHED, 'effort.json'), encoding='utf-8') as f:
        published = json.load(f)
    assert published_block(DOC_BEGIN, DOC_END, DOC).strip() == \
        effort_summary_table(published).strip()

    seeds = tmp_path / 'seeds'
    for seed, edits in (('0', 100), ('1', 300)):
        run = seeds / f'seed_{seed}'
        run.mkdir(parents=True)
        result = dict(edits_to={'0.95': edits, '0.99': None}, curve=[],
                      reviewed=1)
        (run / 'effort.json').write_text(json.dumps(dict(
            total_joints=1000, label_every=7, batch=1,
            hand={'0.95': 950, '0.99': 990},
            methods=dict(interpolation=dict(confidence=result,
                                            random=result)))))
        (run / 'effort.png').write_bytes(b'png')
    text = publish_into_readme(publish_effort, seeds, tmp_path,
                               (DOC_BEGIN, DOC_END))
    assert '| `interpolation` | confidence | 100 | 300 | 200 |' in text
    assert '| `interpolation` | random | - | - | - |' in text
    assert '| label every frame by hand | - | 950 | 950 | 950 |' in text
    assert (tmp_path / 'pub' / 'effort.png').read_bytes() == b'png'


def test_doc_shows_the_published_label_budgets(tmp_path):
    """docs/sparse_benchmark.md's label-budget table is made from
    docs/results/label_budgets.json; publishing several seeds' budgets
    rewrites only that block, budgets in order."""
    import json

    from projects.sparse_benchmark.sparse_benchmark.label_budgets import (
        DOC_BEGIN, DOC_END, publish_label_budgets, published_block as block)
    assert published_block(DOC_BEGIN, DOC_END, DOC).strip() == \
        block(PUBLISHED).strip()

    seeds = tmp_path / 'seeds'
    for seed in (0, 1):
        run = seeds / f'seed_{seed}'
        run.mkdir(parents=True)
        budgets = {n: dict(manual_people=10 * int(n), scores=dict(
            sparse_only=40.0 + int(n), sparse_plus_propagated=41.5 + int(n)))
            for n in ('4', '1')}
        (run / 'label_budgets.json').write_text(json.dumps(dict(
            settings=dict(seed=seed), budgets=budgets)))
    text = publish_into_readme(publish_label_budgets, seeds, tmp_path,
                               (DOC_BEGIN, DOC_END))
    rows = [line for line in text.splitlines() if line.startswith('| 1 |')]
    assert rows == ['| 1 | 1 | 41.0 | 42.5 | +1.5 |',
                    '| 1 | 4 | 44.0 | 45.5 | +1.5 |']
