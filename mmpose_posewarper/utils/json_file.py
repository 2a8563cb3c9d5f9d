"""One reader for every JSON file the package reads.

Annotations, box and detection files, provenance, settings, results and
manifests are read with :func:`read_json`, and their required fields
fetched with :func:`json_field`. Every problem raises a
:class:`JSONFileError` (a ValueError, so a tool run through
:func:`~.cli.run_tool` ends with exit code 2) whose message names the file,
the field and the problem::

    error: boxes.json: [3].bbox: expected a list, got str
    error: boxes.json: invalid JSON at line 4 column 1 (Expecting value):
        the file ends early (truncated?)
    error: --continues prov.json: no such file

A missing file raises :class:`JSONFileNotFoundError`, which is also a
``FileNotFoundError``.
"""
import json
import os.path as osp
from typing import Any, Optional, Tuple, Union

#: what an expected type is called in a message
_EXPECTED = {
    dict: 'an object',
    list: 'a list',
    str: 'a string',
    bool: 'a boolean',
    int: 'an integer',
    float: 'a number',
}


class JSONFileError(ValueError):
    """A JSON file cannot be used: ``FILE: FIELD: problem`` (``FILE:
    problem`` for the file as a whole).

    Attributes:
        path (str): The file.
        field (str | None): The field (``annotations[3].bbox``), None for
            the whole file.
        problem (str): What is wrong.
        what (str | None): The option or setting that named the file
            (``--continues``); the message puts it before the path.
    """

    def __init__(self, path: str, field: Optional[str], problem: str,
                 what: Optional[str] = None) -> None:
        self.path, self.field, self.problem, self.what = (path, field,
                                                          problem, what)
        label = f'{what} {path}' if what else str(path)
        super().__init__(f'{label}: {field}: {problem}'
                         if field else f'{label}: {problem}')


class JSONFileNotFoundError(JSONFileError, FileNotFoundError):
    """The JSON file does not exist (also a ``FileNotFoundError``)."""


def type_name(value: Any) -> str:
    """The JSON-ish name of ``value``'s type for a message (``null`` for
    None, else the Python type's name: ``str``, ``list``, ``dict``)."""
    return 'null' if value is None else type(value).__name__


def _expected(expect: Union[type, Tuple[type, ...]]) -> str:
    types = expect if isinstance(expect, tuple) else (expect, )
    return ' or '.join(
        _EXPECTED.get(t, f'a {t.__name__}') for t in types)


def _is_a(value: Any, expect: Union[type, Tuple[type, ...]]) -> bool:
    types = expect if isinstance(expect, tuple) else (expect, )
    if isinstance(value, bool) and bool not in types:
        return False  # True is an int to Python, not to a JSON file
    if float in types and isinstance(value, int):
        return True  # 3 is a number
    return isinstance(value, types)


def _position(text: str, pos: int) -> Tuple[int, int]:
    line = text.count('\n', 0, pos) + 1
    return line, pos - (text.rfind('\n', 0, pos) + 1) + 1


def read_json(path: str,
              what: Optional[str] = None,
              expect: Union[None, type, Tuple[type, ...]] = None) -> Any:
    """Read the JSON file ``path``.

    Args:
        path (str): The file.
        what (str, optional): The option or setting that named it
            (``--continues``, ``bbox_file``); the messages name it with the
            path.
        expect (type | tuple, optional): The type the file must hold as a
            whole (``dict``: an object, ``list``).

    Returns:
        The parsed content.

    Raises:
        JSONFileNotFoundError: ``path`` does not exist.
        JSONFileError: it is a folder or cannot be read, is not UTF-8 text,
            is not valid JSON (empty, truncated, damaged: ``FILE: invalid
            JSON at line L column C (...)``) or holds another type than
            ``expect`` (``FILE: holds a list, not an object``).
    """
    if not osp.lexists(path):
        raise JSONFileNotFoundError(path, None, 'no such file', what)
    if osp.isdir(path):
        raise JSONFileError(path, None, 'is a folder, not a JSON file', what)
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as e:
        raise JSONFileError(path, None,
                            f'cannot be read ({e.strerror or e})',
                            what) from None
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        before = raw[:e.start].decode('utf-8', 'replace')
        line, column = _position(before, len(before))
        raise JSONFileError(
            path, None, f'invalid JSON at line {line} column {column} '
            f'(byte 0x{raw[e.start]:02x} is not UTF-8 text): not a JSON '
            'file or a damaged one', what) from None
    if text.startswith('\ufeff'):
        text = text[1:]  # a byte order mark, as some editors write
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if not text.strip():
            hint = 'the file is empty'
        elif e.pos >= len(text.rstrip()) or e.msg.startswith('Unterminated'):
            # (a string runs to the end of the file)
            hint = 'the file ends early (truncated?)'
        else:
            hint = 'not a JSON file or a damaged one'
        raise JSONFileError(
            path, None, f'invalid JSON at line {e.lineno} column {e.colno} '
            f'({e.msg}): {hint}', what) from None
    if expect is not None and not _is_a(data, expect):
        raise JSONFileError(
            path, None, f'holds {_expected(type(data))}, not '
            f'{_expected(expect)}', what)
    return data


def json_field(obj: Any,
               key: Union[str, int],
               expect: Union[None, type, Tuple[type, ...]],
               path: str,
               where: Optional[str] = None,
               what: Optional[str] = None,
               default: Any = ...) -> Any:
    """``obj[key]`` of the JSON file ``path``, checked.

    Args:
        obj: The object (or list, for an int ``key``) read from ``path``.
        key (str | int): The field's name (a list's index).
        expect (type | tuple | None): Its type (``list``, ``dict``,
            ``str``, ``int``, ``float``: any number); None: any.
        path (str): The file, for the message.
        where (str, optional): Where ``obj`` is in the file
            (``annotations[3]``); the field is then ``annotations[3].key``.
        what (str, optional): See :func:`read_json`.
        default: What a missing field gives; without it a missing field is
            an error.

    Raises:
        JSONFileError: ``FILE: FIELD: missing``, ``FILE: FIELD: expected a
            list, got str`` (and ``FILE: WHERE: expected an object, got
            list`` where ``obj`` is none).
    """
    if isinstance(key, int):
        field = f'{where or ""}[{key}]'
        container: Union[type, Tuple[type, ...]] = list
    else:
        field = f'{where}.{key}' if where else key
        container = dict
    if not _is_a(obj, container):
        raise JSONFileError(
            path, where or '<root>',
            f'expected {_expected(container)}, got {type_name(obj)}', what)
    present = key in obj if container is dict else -len(obj) <= key < len(obj)
    if not present:
        if default is not ...:
            return default
        raise JSONFileError(path, field, 'missing', what)
    value = obj[key]
    if expect is not None and not _is_a(value, expect):
        raise JSONFileError(
            path, field,
            f'expected {_expected(expect)}, got {type_name(value)}', what)
    return value


def check_json_type(value: Any, expect: Union[type, Tuple[type, ...]],
                    path: str, field: str,
                    what: Optional[str] = None) -> Any:
    """``value`` (the field ``field`` of ``path``) if it is an ``expect``,
    else ``FILE: FIELD: expected a list, got str``."""
    if not _is_a(value, expect):
        raise JSONFileError(
            path, field,
            f'expected {_expected(expect)}, got {type_name(value)}', what)
    return value


__all__ = [
    'JSONFileError', 'JSONFileNotFoundError', 'read_json', 'json_field',
    'check_json_type', 'type_name'
]
