"""An MMPose config adds the plugin with ``custom_imports`` alone."""
import subprocess
import sys
import textwrap

from .conftest import REPO


def test_custom_imports_registers_the_plugin(tmp_path):
    config = tmp_path / 'uses_plugin.py'
    config.write_text(textwrap.dedent(f"""
        _base_ = ['{REPO}/configs/posewarper/tiny/posewarper_tiny_64x48.py']
        custom_imports = dict(imports=['mmpose_posewarper'],
                              allow_failed_imports=False)
        val_evaluator = dict(type='PoseTrackAPMetric', ann_dir='{tmp_path}')
        """))
    # a fresh interpreter that never imports mmpose_posewarper itself
    script = textwrap.dedent(f"""
        import sys
        from mmengine.config import Config
        from mmpose.registry import METRICS, MODELS
        from mmpose.utils import register_all_modules
        register_all_modules()
        assert 'mmpose_posewarper' not in sys.modules
        cfg = Config.fromfile({str(config)!r})
        assert 'mmpose_posewarper' in sys.modules
        model = MODELS.build(cfg.model)
        metric = METRICS.build(cfg.val_evaluator)
        print(type(model).__name__, type(model.neck).__name__,
              type(metric).__name__)
        """)
    proc = subprocess.run([sys.executable, '-c', script], cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split()[-3:] == [
        'PoseWarper', 'PoseWarperWarpingNeck', 'PoseTrackAPMetric'
    ]
