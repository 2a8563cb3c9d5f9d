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

What a file must hold can be stated once, as a ``schema`` of
:func:`read_json` (checked by :func:`check_json_schema`), so that a value
of another type is refused where the file is read, naming the field,
instead of failing later in the code that uses it (a ``TypeError`` or a
format error that names no file)::

    read_json(path, expect=dict, schema={
        'iterations': int,                      # required, an integer
        'learning_curve': [{'iteration': int, 'val_mAP': float}],
        'notes?': (str, None),                  # optional, may be null
        str: float,                             # any other key: a number
    })

``str: NO_OTHER_KEYS`` refuses any other key: where every field is
optional, a misspelled one would otherwise read as absent.

A file of one JSON value per line (MMEngine's ``scalars.json``) is read
with ``lines=True``; its errors name the line.
"""
import json
import os.path as osp
from typing import Any, Optional, Tuple, Union

#: the schema of ``str`` (any other key) in an object that has no other
#: keys than those named: a misspelled optional field is refused, not
#: read as absent (e.g. a results.json section)
NO_OTHER_KEYS = 'no other keys'

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
              expect: Union[None, type, Tuple[type, ...]] = None,
              schema: Any = None,
              lines: bool = False) -> Any:
    """Read the JSON file ``path``.

    Args:
        path (str): The file.
        what (str, optional): The option or setting that named it
            (``--continues``, ``bbox_file``); the messages name it with the
            path.
        expect (type | tuple, optional): The type the file must hold as a
            whole (``dict``: an object, ``list``); with ``lines``, each
            line.
        schema (optional): What the content must hold, field by field
            (:func:`check_json_schema`); with ``lines``, each line.
        lines (bool): The file holds one JSON value per line (JSON Lines,
            as MMEngine's ``scalars.json``; blank lines skipped): the
            values are returned as a list, and a problem names the line
            (``FILE: line 3: invalid JSON ...``).

    Returns:
        The parsed content (a list of the lines' values with ``lines``).

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
    if not lines:
        return _parsed(text, path, None, what, expect, schema, whole=True)
    values = []
    all_lines = text.split('\n')
    for number, line in enumerate(all_lines, 1):
        if line.strip():
            # a last line without its newline may be cut short
            values.append(_parsed(line, path, f'line {number}', what, expect,
                                  schema,
                                  whole=number == len(all_lines)))
    return values


def _parsed(text: str, path: str, where: Optional[str], what: Optional[str],
            expect: Any, schema: Any, whole: bool) -> Any:
    """``text`` (the file, or its line ``where``) parsed and checked."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if not text.strip():
            hint = 'the file is empty'
        elif whole and (e.pos >= len(text.rstrip())
                        or e.msg.startswith('Unterminated')):
            # (a string runs to the end of the file)
            hint = 'the file ends early (truncated?)'
        else:
            hint = 'not a JSON file or a damaged one'
        position = (f'at column {e.colno}' if where else
                    f'at line {e.lineno} column {e.colno}')
        raise JSONFileError(
            path, where, f'invalid JSON {position} ({e.msg}): {hint}',
            what) from None
    if expect is not None and not _is_a(data, expect):
        raise JSONFileError(
            path, where, f'holds {_expected(type(data))}, not '
            f'{_expected(expect)}', what)
    if schema is not None:
        check_json_schema(data, schema, path, where, what)
    return data


def check_json_schema(value: Any, schema: Any, path: str,
                      field: Optional[str] = None,
                      what: Optional[str] = None) -> Any:
    """Check ``value`` (the field ``field`` of the JSON file ``path``; None:
    the whole file) against ``schema``; returns ``value``.

    ``schema`` is

    * a type, or a tuple of types (``None`` in it: null is allowed):
      ``int``, ``float`` (any number), ``str``, ``bool``, ``list``,
      ``dict``;
    * a dict: an object with these keys, each checked against its schema;
      a key ending in ``?`` may be missing; the key ``str`` (the type)
      gives the schema of every other key (without it, other keys are not
      checked; :data:`NO_OTHER_KEYS`: there are none);
    * a one-item list ``[item]``: a list whose every element is an
      ``item``.

    Raises:
        JSONFileError: ``FILE: FIELD: expected a number, got str``, ``FILE:
            FIELD: missing``, naming the first value that differs.
    """
    label = field or '<root>'
    if isinstance(schema, dict):
        check_json_type(value, dict, path, label, what)
        for key, item in schema.items():
            if key is str:
                continue
            name = key[:-1] if key.endswith('?') else key
            if name in value:
                check_json_schema(value[name], item, path,
                                  f'{field}.{name}' if field else name, what)
            elif not key.endswith('?'):
                raise JSONFileError(path, f'{field}.{name}' if field else
                                    name, 'missing', what)
        if str in schema:
            named = {k[:-1] if k.endswith('?') else k for k in schema
                     if k is not str}
            for key, item in value.items():
                if key in named:
                    continue
                where = f'{field}.{key}' if field else key
                if schema[str] is NO_OTHER_KEYS:
                    raise JSONFileError(
                        path, where, 'unknown field (expected '
                        f'{", ".join(sorted(named))})', what)
                check_json_schema(item, schema[str], path, where, what)
        return value
    if isinstance(schema, list):
        if len(schema) != 1:
            raise TypeError(f'a list schema has one item, got {schema!r}')
        check_json_type(value, list, path, label, what)
        for i, item in enumerate(value):
            check_json_schema(item, schema[0], path, f'{field or ""}[{i}]',
                              what)
        return value
    types = schema if isinstance(schema, tuple) else (schema, )
    if None in types:
        if value is None:
            return value
        types = tuple(t for t in types if t is not None)
    return check_json_type(value, types, path, label, what)


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
    'check_json_type', 'check_json_schema', 'type_name', 'NO_OTHER_KEYS'
]
