"""docs/architecture.md names every module of the package (issue 25: the
layout document matches the tree)."""
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_architecture_names_every_module():
    text = (REPO / 'docs' / 'architecture.md').read_text(encoding='utf-8')
    missing = []
    for root, dirs, files in os.walk(REPO / 'mmpose_posewarper'):
        dirs[:] = [d for d in dirs if not d.startswith(('.', '__'))]
        for name in files:
            if name.endswith('.py') and name != '__init__.py':
                stem = name[:-3]
                if not re.search(rf'\b{re.escape(stem)}\b', text):
                    missing.append(os.path.relpath(os.path.join(root, name),
                                                   REPO))
    assert not missing, ('modules docs/architecture.md does not name: '
                         f'{missing}')
