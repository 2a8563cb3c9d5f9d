"""The main job end to end: ``tools/run_sparse_benchmark.py --quick``.

One quick run (a few minutes on 2 cores) is shared by the tests of this
module; they check what the job promises (the results file, the report
files) and the two sanity controls, which fail if the measurement is wrong
(a leak of the target frame's ground truth, or a method that ignores the
frame it propagates to).
"""
import importlib.util
import json
import os.path as osp
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from projects.sparse_benchmark.sparse_benchmark import RESULT_KEYS

TOOL = Path(__file__).resolve().parents[3] / 'tools' / 'run_sparse_benchmark.py'


def load_tool():
    """``tools/run_sparse_benchmark.py`` as a module (tools/ is no package)."""
    spec = importlib.util.spec_from_file_location('_run_sparse_benchmark',
                                                  TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('sparse_benchmark_quick')
    assert load_tool().main(
        ['--out', str(out), '--quick']) == 0
    return out


def test_results_json_has_exactly_the_keys(quick_run):
    results = json.loads((quick_run / 'results.json').read_text())
    # the quick run has no pretrained checkpoint: no domain gap to measure
    sections = set(RESULT_KEYS) - {'domain_gap'}
    assert set(results) == sections | {'wall_seconds',
                                       'propagation_by_distance'}
    # each method's score at each distance to the labeled frame
    assert set(results['propagation_by_distance']) == set(
        RESULT_KEYS['propagation'])
    for values in results['propagation_by_distance'].values():
        assert set(values) == {'1', '2', '3'}
        assert all(0.0 <= v <= 100.0 for v in values.values())
    for section in sections:
        keys = RESULT_KEYS[section]
        assert set(results[section]) == set(keys)
        for key in keys:
            value = results[section][key]
            assert isinstance(value, float) and 0.0 <= value <= 100.0, (
                section, key, value)
    assert 0 < results['wall_seconds'] <= 600


def test_report_files_exist(quick_run):
    table = (quick_run / 'results.md').read_text()
    results = json.loads((quick_run / 'results.json').read_text())
    # the table shows the numbers of results.json
    assert f"{results['propagation']['posewarper']:.1f}" in table
    for name in ('results.png', 'propagation_strip.jpg'):
        img = cv2.imread(str(quick_run / name))
        assert img is not None and min(img.shape[:2]) > 50, name
    for method in ('posewarper', 'optical_flow', 'copy_nearest',
                   'single_frame', 'interpolation', 'two_sided_posewarper',
                   'two_sided_optical_flow', 'self/posewarper',
                   'shuffled/optical_flow'):
        assert list((quick_run / 'propagation' / method).glob('*.json'))
    assert osp.isfile(quick_run / 'benchmark.log')


def test_propagating_to_the_labeled_frame_itself_scores_100(quick_run):
    """Flow from a frame to itself is zero: the frame, image ids and metric
    line up exactly. PoseWarper's zero-difference warp is the identity only
    as far as its training kept it so (99.8 in the default run, about 50 in
    the quick one); it must still beat its own propagation over 1-3 frames,
    or the warp ignores the heatmap difference."""
    results = json.loads((quick_run / 'results.json').read_text())
    controls = json.loads((quick_run / 'controls.json').read_text())
    assert controls['self_propagation']['optical_flow'] >= 99.0
    assert (controls['self_propagation']['posewarper'] >
            results['propagation']['posewarper'] + 10.0)


def test_frames_from_another_video_score_clearly_lower(quick_run):
    results = json.loads((quick_run / 'results.json').read_text())
    controls = json.loads((quick_run / 'controls.json').read_text())
    shuffled = controls['shuffled_frames']
    for method in ('posewarper', 'optical_flow'):
        assert shuffled[method] < results['propagation'][method] - 10.0, (
            method, shuffled[method], results['propagation'][method])


def test_the_online_benchmark_finds_each_stages_last_checkpoint(
        quick_run, tmp_path):
    """tools/analysis_tools/benchmark_online.py reads each stage's last
    checkpoint (100 iterations for the quick stages, 300 and 600 for the
    default ones) from the run's own directory."""
    from projects.speed_benchmark.speed_benchmark.online import _stage
    for stage in ('single_frame', 'posewarper'):
        found = _stage(str(quick_run), stage)
        assert found['checkpoint'] == str(
            quick_run / 'work_dirs' / stage / 'iter_100.pth')
        assert osp.isfile(found['config'])
    # a copied run reads its own copy (last_checkpoint holds the original's
    # absolute path)
    shutil.copytree(quick_run / 'work_dirs' / 'posewarper',
                    tmp_path / 'work_dirs' / 'posewarper')
    assert _stage(str(tmp_path), 'posewarper')['checkpoint'] == str(
        tmp_path / 'work_dirs' / 'posewarper' / 'iter_100.pth')
    with pytest.raises(FileNotFoundError, match='run README command 1'):
        _stage(str(tmp_path), 'single_frame')


def test_augmentation_follows_the_original_protocol(quick_run):
    """One labeled frame per train video; PoseWarper's labels on the frames
    within ±3 of it, joints scoring > 0.2; the ground truth of exactly the
    people PoseWarper labeled; one estimator per label set, each for the
    same iterations from the same initialisation."""
    from mmpose_posewarper.datasets.posetrack_io import load_posetrack_dir
    from mmpose_posewarper.datasets.posetrack_videos import frame_number
    labels = json.loads((quick_run / 'labels' /
                         'posetrack18_train_1_per_video.json').read_text())
    frame_of = {img['id']: (img['vid_id'], frame_number(img))
                for img in labels['images']}
    labeled = {frame_of[a['image_id']] for a in labels['annotations']}
    videos = {v for v, _ in labeled}
    assert len(labeled) == len(videos) > 0  # one frame per video
    added = quick_run / 'propagated_train' / '1_per_video'
    propagated = load_posetrack_dir(str(added / 'posewarper'))
    truth = load_posetrack_dir(str(added / 'ground_truth'))
    source = {vid: t for vid, t in labeled}
    for name, video in propagated.items():
        frames = {frame_number(img) for img in video['images']
                  if any(a['image_id'] == img['id']
                         for a in video['annotations'])}
        vid = video['images'][0]['vid_id']
        assert frames and all(0 < abs(t - source[vid]) <= 3 for t in frames)
        people = {(a['image_id'], a['track_id'])
                  for a in video['annotations']}
        assert {(a['image_id'], a['track_id'])
                for a in truth[name]['annotations']} <= people
    coco = json.loads((added / 'posewarper.json').read_text())
    assert coco['annotations'] and all(
        any(a['keypoints'][2::3]) for a in coco['annotations'])
    for stage in ('sparse_only', 'augmented_posewarper',
                  'augmented_ground_truth', 'augmented_optical_flow'):
        assert (quick_run / 'work_dirs' / '1_per_video' / stage /
                'iter_100.pth').is_file(), stage


def test_label_budgets_on_the_finished_run(quick_run):
    """--label-budgets 1 2: the run's own budget is reused (its scores are
    results.json's), budget 2 trains apart with twice the labeled frames;
    two-sided PoseWarper's labels join budget 1; optical flow's labels
    (the default run's) have boxes, as PoseWarper's."""
    assert load_tool().main(['--out', str(quick_run), '--quick',
                             '--label-budgets', '1', '2']) == 0
    budgets = json.loads((quick_run / 'label_budgets.json').read_text())
    results = json.loads((quick_run / 'results.json').read_text())
    assert budgets['budgets']['1']['scores'] == results['augmentation']
    # another source added to budget 1: its row joins the earlier ones
    assert load_tool().main(['--out', str(quick_run), '--quick',
                             '--label-budgets', '1', '--augmentation-labels',
                             'posewarper', 'two_sided_posewarper']) == 0
    budgets = json.loads((quick_run / 'label_budgets.json').read_text())
    scores = budgets['budgets']['1']['scores']
    assert 0.0 <= scores.pop('sparse_plus_two_sided') <= 100.0
    assert scores == results['augmentation']
    flow = json.loads((quick_run / 'propagated_train' / '1_per_video' /
                       'optical_flow.json').read_text())
    assert flow['annotations'] and all(len(a['bbox']) == 4
                                       for a in flow['annotations'])
    one, two = (budgets['budgets'][n]['manual_people'] for n in ('1', '2'))
    assert one < two
    assert (quick_run / 'work_dirs' / '2_per_video' / 'sparse_only' /
            'iter_100.pth').is_file()
    table = (quick_run / 'label_budgets.md').read_text()
    assert '| 0 | 2 |' in table


def test_two_sided_rows_cover_the_one_sided_frames(quick_run):
    """The two-sided methods and interpolation propagate to exactly the
    frames and people the one-sided ones do."""
    from mmpose_posewarper.datasets.posetrack_io import load_posetrack_dir

    def people(method):
        return {(name, a['image_id'], a['track_id'])
                for name, v in load_posetrack_dir(
                    str(quick_run / 'propagation' / method)).items()
                for a in v['annotations']}

    one_sided = people('posewarper')
    assert one_sided
    for method in ('interpolation', 'two_sided_posewarper',
                   'two_sided_optical_flow', 'copy_nearest'):
        assert people(method) == one_sided, method


def test_a_rerun_reuses_the_trained_stages_only_when_unchanged(quick_run):
    from projects.sparse_benchmark.sparse_benchmark.settings import \
        BenchmarkSettings
    from projects.sparse_benchmark.sparse_benchmark.steps import \
        SparseBenchmark
    job = SparseBenchmark(BenchmarkSettings(out_dir=str(quick_run),
                                            quick=True))
    job.make_labels()
    job.load_trained()
    assert job.ckpt['posewarper'] == str(quick_run / 'work_dirs' /
                                         'posewarper' / 'iter_100.pth')
    # the augmentation's stages need their added labels first
    assert job.finished_stage('augmented_posewarper') is None
    # another stage-2 length: stage 1 is reused, stage 2 is not
    other = SparseBenchmark(BenchmarkSettings(
        out_dir=str(quick_run), quick=True, iters=dict(posewarper=50)))
    other.make_labels()
    assert other.finished_stage('single_frame') == job.ckpt['single_frame']
    other.ckpt['single_frame'] = job.ckpt['single_frame']
    assert other.finished_stage('posewarper') is None
    with pytest.raises(FileNotFoundError, match='run the job there first'):
        other.load_trained(('posewarper', ))
    # another stage-1 learning rate: neither
    other = SparseBenchmark(BenchmarkSettings(
        out_dir=str(quick_run), quick=True, cfg_options=dict(
            single_frame={'optim_wrapper.optimizer.lr': 1e-5})))
    other.make_labels()
    assert other.finished_stage('single_frame') is None


def test_a_rerun_goes_on_from_every_finished_step(quick_run, tmp_path):
    """Every finished step leaves a marker with its results: rerunning a
    finished run (here a copy of it) trains, propagates and scores nothing
    again and writes the same results; a step whose output was changed, or
    whose marker is gone (a run stopped before it), runs again."""
    run = tmp_path / 'run'
    shutil.copytree(quick_run, run)
    before = json.loads((run / 'results.json').read_text())
    (run / 'results.json').unlink()  # as a run stopped before its end
    (run / 'steps' / 'scores' / 'posewarper.json').unlink()
    assert load_tool().main(['--out', str(run), '--quick']) == 0
    after = json.loads((run / 'results.json').read_text())
    before.pop('wall_seconds'), after.pop('wall_seconds')
    assert after == before
    reused = json.loads((run / 'controls.json').read_text())['reused_stages']
    assert {'single_frame', 'posewarper', 'propagation',
            '1_per_video/labels_posewarper',
            '1_per_video/labels_ground_truth', '1_per_video/sparse_only',
            'scores/single_frame', 'scores/1_per_video/sparse_only'
            } <= set(reused)
    assert 'scores/posewarper' not in reused
    # an output changed after its step finished: that step runs again
    first = sorted((run / 'propagation' / 'posewarper').glob('*.json'))[0]
    first.write_text(first.read_text().replace('"keypoints"', '"keypoints" '))
    assert load_tool().main(['--out', str(run), '--quick']) == 0
    reused = json.loads((run / 'controls.json').read_text())['reused_stages']
    assert 'propagation' not in reused and 'scores/posewarper' in reused
    again = json.loads((run / 'results.json').read_text())
    again.pop('wall_seconds')
    assert again == before


def test_effort_on_the_finished_run(quick_run):
    """--effort (the tool in a process of its own, as a user runs it): each
    method's review session reaches 95% and 99% correct joints with fewer
    edits than labeling every frame by hand."""
    subprocess.run([sys.executable, str(TOOL), '--out', str(quick_run),
                    '--quick', '--effort', '--effort-batch', '4'],
                   check=True, capture_output=True)
    effort = json.loads((quick_run / 'effort.json').read_text())
    assert set(effort['methods']) == {
        'posewarper', 'two_sided_posewarper', 'optical_flow',
        'two_sided_optical_flow', 'interpolation', 'copy_nearest'}
    for name, orders in effort['methods'].items():
        for order, result in orders.items():
            for goal, edits in result['edits_to'].items():
                assert edits is not None and edits <= effort['hand'][goal], (
                    name, order, goal)
    assert '| label every frame by hand |' in (quick_run /
                                               'effort.md').read_text()
    assert cv2.imread(str(quick_run / 'effort.png')) is not None


def test_fusion_sweep_on_train_videos(quick_run):
    """The fusion sweep (one setting per method, one train video) in a
    process of its own: its table lists the one-sided rows, interpolation
    and each two-sided setting with the mAP its JSON holds."""
    # from the repository root (cwd), where projects/ is importable
    code = ('from projects.sparse_benchmark.sparse_benchmark.fusion_sweep '
            'import run_fusion_sweep\n'
            'from projects.sparse_benchmark.sparse_benchmark.settings '
            'import BenchmarkSettings\n'
            f'run_fusion_sweep(BenchmarkSettings(out_dir={str(quick_run)!r}, '
            'quick=True), max_videos=1, sweep=dict(second_reach=(None, ), '
            "power=(1.0, ), level=('heatmap', )))")
    subprocess.run([sys.executable, '-c', code], check=True,
                   capture_output=True, cwd=str(TOOL.parents[1]))
    sweep = json.loads((quick_run / 'fusion_sweep.json').read_text())
    assert len(sweep['videos']) == 1
    assert set(sweep['one_sided']) == {'posewarper', 'optical_flow'}
    assert [row[0] for row in sweep['two_sided']['posewarper']] == [
        dict(second_reach=None, power=1.0, level='heatmap')]
    table = (quick_run / 'fusion_sweep.md').read_text()
    total = sweep['two_sided']['optical_flow'][0][1]
    assert (f'| two-sided optical_flow | reach any, power 1, keypoint | '
            f'{total:.1f} |') in table
