"""README.md is a short document for users and docs/ holds the rest: every
docs file is in README's index, and every link between them resolves."""
import glob
import os.path as osp
import re

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
README = osp.join(REPO, 'README.md')
DOCS = sorted(glob.glob(osp.join(REPO, 'docs', '*.md')))
LINK = re.compile(r'\]\(([^)\s]+)\)')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def prose(text):
    """``text`` without its fenced code blocks."""
    return re.sub(r'^```.*?^```', '', text, flags=re.S | re.M)


def anchor(heading):
    """GitHub's anchor of a markdown heading."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return text.replace(' ', '-')


def anchors(path):
    return {anchor(line.lstrip('#')) for line in prose(read(path)).split('\n')
            if line.startswith('#')}


def test_readme_is_short():
    assert len(read(README).split('\n')) <= 300


def test_readme_indexes_every_doc():
    readme = read(README)
    for path in DOCS:
        assert f'](docs/{osp.basename(path)})' in readme, path


@pytest.mark.parametrize('path', [README] + DOCS,
                         ids=lambda p: osp.relpath(p, REPO))
def test_links_resolve(path):
    for target in LINK.findall(prose(read(path))):
        if re.match(r'[a-z]+:', target):
            continue  # a web address
        file, _, fragment = target.partition('#')
        dest = osp.normpath(osp.join(osp.dirname(path), file)) if file \
            else path
        assert osp.exists(dest), f'{path}: {target}'
        if fragment:
            assert fragment in anchors(dest), f'{path}: {target}'
