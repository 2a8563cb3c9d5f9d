"""docs/architecture.md names every module of the package and of the
projects (issue 25: the layout document matches the tree), one thing per
module, no private name imported across modules, projects import the
package and never the reverse."""
import ast
import configparser
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _project_packages(projects_dir):
    """``{name: folder}`` of the packages of the projects
    (``projects/<project>/<package>/__init__.py``, MMDet's layout: imported
    from the repository root as ``projects.<project>.<package>``)."""
    return {init.parent.name: init.parent
            for init in sorted(Path(projects_dir).glob('*/*/__init__.py'))}


#: the package and the projects' packages, as paths from the repository root
SOURCE_FOLDERS = ('mmpose_posewarper', *(
    p.relative_to(REPO).as_posix()
    for p in _project_packages(REPO / 'projects').values()))


def test_architecture_names_every_module():
    text = (REPO / 'docs' / 'architecture.md').read_text(encoding='utf-8')
    missing = []
    for root, dirs, files in (entry for folder in SOURCE_FOLDERS
                              for entry in os.walk(REPO / folder)):
        dirs[:] = [d for d in dirs if not d.startswith(('.', '__'))]
        for name in files:
            if name.endswith('.py') and name != '__init__.py':
                stem = name[:-3]
                if not re.search(rf'\b{re.escape(stem)}\b', text):
                    missing.append(os.path.relpath(os.path.join(root, name),
                                                   REPO))
    assert not missing, ('modules docs/architecture.md does not name: '
                         f'{missing}')


#: the longest a module of the package or of a project may be (issue 25: one
#: thing per file), but for the homogeneous ones listed in LONG_MODULES
MAX_LINES = 500
#: modules longer than MAX_LINES, each with what makes it one thing (one
#: class, or a list of like things)
LONG_MODULES = {
    'mmpose_posewarper/datasets/datasets/posetrack_pair_dataset.py':
    'one class: PoseTrackFramePairDataset (and its defaults), as MMPose '
    'keeps one dataset class per file',
}


def _python_files(*folders):
    for folder in folders:
        for root, dirs, files in os.walk(REPO / folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(('.', '__')))
            for name in sorted(files):
                if name.endswith('.py'):
                    yield Path(root) / name


def _is_private(name):
    return name.startswith('_') and not (name.startswith('__')
                                         and name.endswith('__'))


def _private_imports(path, tools):
    """``(line, module, name)`` of each private name ``path`` imports from
    another module of the package (or, for a tool, from another tool)."""
    tree = ast.parse(path.read_text(encoding='utf-8'), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ''
            ours = (node.level > 0
                    or module.split('.')[0] in ('mmpose_posewarper',
                                                'projects')
                    or module.split('.')[0] in tools)
            if not ours:
                continue
            parts = module.split('.') if module else []
            names = [alias.name for alias in node.names]
            found += [(node.lineno, '.' * node.level + module, name)
                      for name in parts + names if _is_private(name)]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split('.')
                if (parts[0] in ('mmpose_posewarper', 'projects')
                        or parts[0] in tools) \
                        and any(_is_private(p) for p in parts):
                    found.append((node.lineno, alias.name, alias.name))
    return found


def test_no_module_imports_a_private_name_of_another():
    """A name starting with ``_`` is its module's own: no module of the
    package, of a project or tool imports one from another (a shared helper
    is public, or lives in a module both import)."""
    tools = {p.stem for p in (REPO / 'tools').glob('*.py')}
    found = []
    for path in _python_files(*SOURCE_FOLDERS, 'tools'):
        found += [f'{path.relative_to(REPO)}:{line}: {name} from {module}'
                  for line, module, name in _private_imports(path, tools)]
    assert not found, 'private names imported across modules:\n' + \
        '\n'.join(found)


def test_the_private_import_check_finds_one(tmp_path):
    path = tmp_path / 'mod.py'
    path.write_text('from .deform_conv import _Base, Public\n'
                    'from mmpose_posewarper.apis._hidden import x\n'
                    'import mmpose_posewarper.apis._hidden\n'
                    'from torch.nn.modules.utils import _pair\n'
                    'from .version import __version__\n'
                    'from train import _parse\n'
                    'from projects.a.b.c import _d\n')
    assert [(line, name) for line, _, name in _private_imports(
        path, {'train'})] == [(1, '_Base'), (2, '_hidden'),
                              (3, 'mmpose_posewarper.apis._hidden'),
                              (6, '_parse'), (7, '_d')]


def test_no_module_is_long_unless_homogeneous():
    """One thing per file: a module of the package or of a project over
    MAX_LINES lines is listed in LONG_MODULES with what makes it one thing;
    a listed module that got short again leaves the list."""
    long = {}
    for path in _python_files(*SOURCE_FOLDERS):
        lines = len(path.read_text(encoding='utf-8').splitlines())
        if lines > MAX_LINES:
            long[path.relative_to(REPO).as_posix()] = lines
    unlisted = {p: n for p, n in long.items() if p not in LONG_MODULES}
    assert not unlisted, (
        f'modules over {MAX_LINES} lines: {unlisted}; split them by concern, '
        'or list a homogeneous one (one class, a list of like things) in '
        'LONG_MODULES with its reason')
    assert not set(LONG_MODULES) - set(long), (
        f'LONG_MODULES lists modules of {MAX_LINES} lines or fewer: '
        f'{sorted(set(LONG_MODULES) - set(long))}')


#: the test folder of the projects: its ``test_<package>/`` folders mirror
#: the projects' packages (``projects/<project>/<package>/``) as the other
#: folders mirror mmpose_posewarper's
PROJECTS_TEST_FOLDER = 'test_projects'
#: test folders that mirror no subpackage of mmpose_posewarper, each with
#: what it tests
OTHER_TEST_FOLDERS = {
    'test_tools': 'the command lines: tools/, tools/analysis_tools/, demo/',
    'test_configs': 'configs/ (the shared _base_ pieces)',
}
#: folders of tests/ that hold no tests, each with what it holds (a folder
#: below a listed one is covered by it)
NON_TEST_FOLDERS = {
    '_helpers': 'helpers of more than one test folder (and the tiny '
    'detector config they build)',
    'test_datasets/data': 'golden files of the dataset tests (CVAT exports)',
}


def _test_folder_problems(tests_dir, package_dir, projects_dir):
    """What is wrong with the folders of ``tests_dir``: a folder
    ``test_a/test_b/`` tests the subpackage ``a/b/`` of ``package_dir``
    (or is in OTHER_TEST_FOLDERS), ``test_projects/test_a/test_b/`` the
    subpackage ``b/`` of a project's package ``projects_dir/*/a/``; each is
    a package (``__init__.py``: two test modules of one name in two folders
    do not clash), and a folder of another name holds no tests and is in
    NON_TEST_FOLDERS."""
    projects = _project_packages(projects_dir)
    problems = []
    for root, dirs, files in os.walk(tests_dir):
        dirs[:] = sorted(d for d in dirs
                         if not d.startswith('.') and d != '__pycache__')
        rel = Path(root).relative_to(tests_dir)
        if rel == Path('.'):
            continue
        parts = rel.parts
        name = rel.as_posix()
        tests = sorted(f for f in files
                       if f.startswith('test_') and f.endswith('.py'))
        if not all(p.startswith('test_') for p in parts):
            if not any(name == f or name.startswith(f + '/')
                       for f in NON_TEST_FOLDERS):
                problems.append(f'{name}: neither test_<subpackage> nor in '
                                'NON_TEST_FOLDERS')
            elif tests:
                problems.append(f'{name}: holds tests ({tests[0]}, ...) but '
                                'is no test_<subpackage> folder')
            continue
        if parts[0] in OTHER_TEST_FOLDERS:
            if len(parts) > 1:
                problems.append(f'{name}: below {parts[0]}, which mirrors '
                                'no subpackage')
        elif parts[0] == PROJECTS_TEST_FOLDER:
            if len(parts) > 1:
                top = projects.get(parts[1][len('test_'):])
                package = None if top is None else top.joinpath(
                    *(p[len('test_'):] for p in parts[2:]))
                if package is None or not (package / '__init__.py').is_file():
                    problems.append(
                        f'{name}: no package {parts[-1][len("test_"):]} of '
                        f'a project (projects/<project>/<package>/; '
                        f'packages: {sorted(projects)})')
        else:
            package = Path(package_dir).joinpath(
                *(p[len('test_'):] for p in parts))
            if not (package / '__init__.py').is_file():
                problems.append(
                    f'{name}: no subpackage {package.name} at '
                    f'{package.relative_to(Path(package_dir).parent)}; '
                    'move its tests beside their package module, or list '
                    'the folder in OTHER_TEST_FOLDERS with its reason')
        if '__init__.py' not in files:
            problems.append(f'{name}: no __init__.py')
    return problems


def test_test_folders_mirror_the_package():
    """tests/ mirrors the package as MMPose's tests do (issue 25):
    tests/test_models/test_ops/ tests mmpose_posewarper/models/ops/."""
    problems = _test_folder_problems(REPO / 'tests',
                                     REPO / 'mmpose_posewarper',
                                     REPO / 'projects')
    assert not problems, 'test folders:\n' + '\n'.join(problems)


def test_the_test_folder_check_finds_each_problem(tmp_path):
    package = tmp_path / 'pkg'
    for sub in ('apis', 'models/ops'):
        (package / sub).mkdir(parents=True)
        (package / sub / '__init__.py').write_text('')
    projects = tmp_path / 'projects'
    for sub in ('bench/harness', 'bench/harness/parts', 'bench/configs'):
        (projects / sub).mkdir(parents=True)
    for sub in ('bench/harness', 'bench/harness/parts'):
        (projects / sub / '__init__.py').write_text('')
    tests = tmp_path / 'tests'
    for folder, init, test in [('test_apis', True, True),
                               ('test_models', True, False),
                               ('test_models/test_ops', False, True),
                               ('test_jobs', True, True),
                               ('test_projects', True, False),
                               ('test_projects/test_harness', True, True),
                               ('test_projects/test_harness/test_parts',
                                True, True),
                               ('test_projects/test_configs', True, True),
                               ('test_projects/test_bench', True, True),
                               ('test_tools', True, True),
                               ('test_tools/test_more', True, True),
                               ('_helpers', True, False),
                               ('_helpers/configs', False, False),
                               ('misc', False, True)]:
        (tests / folder).mkdir(parents=True)
        if init:
            (tests / folder / '__init__.py').write_text('')
        if test:
            (tests / folder / 'test_x.py').write_text('')
    assert [p.split(':')[0] for p in _test_folder_problems(
        tests, package, projects)] == [
            'misc', 'test_jobs', 'test_models', 'test_models/test_ops',
            'test_projects/test_bench', 'test_projects/test_configs',
            'test_tools/test_more']


def _imports_of(path):
    """``(line, module)`` of each absolute import of ``path``."""
    tree = ast.parse(path.read_text(encoding='utf-8'), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_the_package_never_imports_a_project():
    """The layer rule (docs/architecture.md): projects import the package,
    never the reverse; the installed package runs without projects/."""
    found = [f'{path.relative_to(REPO)}:{line}: imports {module}'
             for path in _python_files('mmpose_posewarper')
             for line, module in _imports_of(path)
             if module.split('.')[0] == 'projects']
    assert not found, 'the package imports projects:\n' + '\n'.join(found)


def test_projects_are_folders_of_the_repository_not_installed():
    """MMPose's (MMDet's) projects/ layout: ``projects/`` and each
    ``projects/<project>/`` are namespace folders (no ``__init__.py``) with
    a README.md per project, imported from the repository root as
    ``projects.<project>.<package>``; setup.cfg installs mmpose_posewarper
    only, without the projects' checkpoints."""
    projects = REPO / 'projects'
    assert not (projects / '__init__.py').exists()
    folders = sorted(p for p in projects.iterdir() if p.is_dir()
                     and not p.name.startswith(('.', '__')))
    assert folders
    for folder in folders:
        assert not (folder / '__init__.py').exists(), folder
        assert (folder / 'README.md').is_file(), folder
    assert _project_packages(projects)
    setup_cfg = configparser.ConfigParser()
    setup_cfg.read(REPO / 'setup.cfg', encoding='utf-8')
    include = setup_cfg['options.packages.find']['include'].split()
    assert include == ['mmpose_posewarper*']
    assert 'checkpoints' not in ''.join(
        setup_cfg['options.package_data'].values())
