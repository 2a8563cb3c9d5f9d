"""Table, plot and picture strip."""
import os.path as osp

import cv2

from mmpose_posewarper.datasets.posetrack_videos import frame_number
from mmpose_posewarper.sparse_benchmark import RESULT_KEYS
from mmpose_posewarper.sparse_benchmark.report import (bar_plot,
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


REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PUBLISHED = osp.join(REPO, 'docs', 'results')


def readme_block(begin: str, end: str) -> str:
    """The text of the repository's README between two markers."""
    with open(osp.join(REPO, 'README.md'), encoding='utf-8') as f:
        readme = f.read()
    return readme[readme.index(begin) + len(begin):readme.index(end)]


def test_readme_shows_the_published_run():
    """README's results table is the table of docs/results/results.json, as
    tools/publish_results.py wrote it."""
    from mmpose_posewarper.sparse_benchmark.report import (README_BEGIN,
                                                           README_END,
                                                           results_block)
    assert readme_block(README_BEGIN, README_END).strip() == \
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

    from mmpose_posewarper.sparse_benchmark.report import (
        PUBLISHED_FILES, README_BEGIN, README_END, publish_results)
    run = tmp_path / 'run'
    run.mkdir()
    for name in PUBLISHED_FILES:
        (run / name).write_text('x')
    (run / 'results.json').write_text(json.dumps(fake_results()))
    (run / 'controls.json').write_text(json.dumps(
        {'self_propagation': {'a': 99.5}, 'timings': {'x': 1}}))
    text = publish_into_readme(publish_results, run, tmp_path,
                               (README_BEGIN, README_END))
    assert '`propagation.posewarper`' in text
    assert (tmp_path / 'pub' / 'results.json').is_file()
    (run / 'results.png').unlink()
    with pytest.raises(FileNotFoundError, match='results.png'):
        publish_results(str(run), str(tmp_path / 'pub2'))


def test_readme_shows_the_published_augmentation_bound(tmp_path):
    """README's augmentation-bound table is the table of
    docs/results/augmentation_bound.json, and publishing a measured bound
    rewrites only that block."""
    import json
    import shutil

    from mmpose_posewarper.sparse_benchmark.augmentation_bound import (
        README_BEGIN, README_END, bound_block, publish_augmentation_bound)
    assert readme_block(README_BEGIN, README_END).strip() == \
        bound_block(PUBLISHED).strip()
    run = tmp_path / 'run'
    shutil.copytree(PUBLISHED, run)
    bound = json.loads((run / 'augmentation_bound.json').read_text())
    bound['per_seed']['0']['sparse_plus_ground_truth'] = 12.5
    (run / 'augmentation_bound.json').write_text(json.dumps(bound))
    text = publish_into_readme(publish_augmentation_bound, run, tmp_path,
                               (README_BEGIN, README_END))
    assert '| seed 0 | 60.8 | 60.4 | 12.5 |' in text
