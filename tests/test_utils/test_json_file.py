"""utils.json_file: the one JSON reader names the file, the field and the
problem, and a tool run through run_tool turns it into ``error: ...`` and
exit code 2."""
import pytest

from mmpose_posewarper.utils.cli import run_tool
from mmpose_posewarper.utils.json_file import (NO_OTHER_KEYS, JSONFileError, JSONFileNotFoundError,
                                               check_json_schema, check_json_type, json_field,
                                               read_json)


def _write(tmp_path, content, name='f.json'):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding='utf-8')
    return str(path)


def test_reads_json_and_a_byte_order_mark(tmp_path):
    assert read_json(_write(tmp_path, '{"a": [1, 2]}')) == {'a': [1, 2]}
    assert read_json(_write(tmp_path, '\ufeff[1]'), expect=list) == [1]


@pytest.mark.parametrize('content,problem', [
    ('', 'invalid JSON at line 1 column 1 (Expecting value): the file is empty'),
    ('  \n', 'invalid JSON at line 2 column 1 (Expecting value): the file is empty'),
    ('{"a": [1,\n  2', "invalid JSON at line 2 column 4 (Expecting ',' delimiter): the file "
     'ends early (truncated?)'),
    ('{junk', 'invalid JSON at line 1 column 2 (Expecting property name enclosed in double '
     'quotes): not a JSON file or a damaged one'),
    ('{"a": 1,}\n', 'invalid JSON at line 1 column 9 (Expecting property name enclosed in '
     'double quotes): not a JSON file or a damaged one'),
    (b'{"a":\n "\x89PNG"}', 'invalid JSON at line 2 column 3 (byte 0x89 is not UTF-8 text): '
     'not a JSON file or a damaged one'),
])
def test_invalid_json_names_file_and_position(tmp_path, content, problem):
    path = _write(tmp_path, content)
    with pytest.raises(JSONFileError) as err:
        read_json(path)
    assert str(err.value) == f'{path}: {problem}'
    assert err.value.path == path and err.value.field is None


def test_missing_folder_and_unreadable(tmp_path):
    missing = str(tmp_path / 'nope.json')
    with pytest.raises(JSONFileNotFoundError) as err:
        read_json(missing, what='--continues')
    assert str(err.value) == f'--continues {missing}: no such file'
    # still what callers that catch FileNotFoundError expect
    assert isinstance(err.value, FileNotFoundError)
    with pytest.raises(JSONFileError, match='is a folder, not a JSON file'):
        read_json(str(tmp_path))


def test_root_type(tmp_path):
    path = _write(tmp_path, '[1, 2]')
    with pytest.raises(JSONFileError) as err:
        read_json(path, what='--continues', expect=dict)
    assert str(err.value) == f'--continues {path}: holds a list, not an object'
    with pytest.raises(JSONFileError, match='holds an object, not a list'):
        read_json(_write(tmp_path, '{}'), expect=list)


def test_fields(tmp_path):
    data = {'images': 'x', 'n': 3, 'flag': True, 'entries': [{'a': 1}, 5]}
    assert json_field(data, 'n', float, 'f.json') == 3
    assert json_field(data, 'n', int, 'f.json') == 3
    assert json_field(data, 'gone', list, 'f.json', default=[]) == []
    with pytest.raises(JSONFileError) as err:
        json_field(data, 'images', list, 'f.json')
    assert str(err.value) == 'f.json: images: expected a list, got str'
    with pytest.raises(JSONFileError) as err:
        json_field(data, 'gone', list, 'f.json')
    assert str(err.value) == 'f.json: gone: missing'
    with pytest.raises(JSONFileError) as err:
        json_field(data, 'flag', int, 'f.json')  # True is no integer in JSON
    assert str(err.value) == 'f.json: flag: expected an integer, got bool'
    with pytest.raises(JSONFileError) as err:
        json_field(data['entries'][1], 'a', None, 'f.json', where='entries[1]')
    assert str(err.value) == 'f.json: entries[1]: expected an object, got int'
    with pytest.raises(JSONFileError) as err:
        json_field(data['entries'][0], 'b', None, 'f.json', where='entries[0]')
    assert str(err.value) == 'f.json: entries[0].b: missing'
    with pytest.raises(JSONFileError) as err:
        json_field(data['entries'], 2, dict, 'f.json', where='entries')
    assert str(err.value) == 'f.json: entries[2]: missing'
    with pytest.raises(JSONFileError) as err:
        check_json_type(None, str, 'f.json', 'name', what='--joint-map')
    assert str(err.value) == '--joint-map f.json: name: expected a string, got null'


#: a provenance-like schema: required, optional, nullable, nested, any key
SCHEMA = {'iterations': int, 'learning_curve': [{'iteration': int, 'val_mAP': float}],
          'notes?': (str, None), str: float}


@pytest.mark.parametrize('value,problem', [
    ({'iterations': 'x', 'learning_curve': []}, 'iterations: expected an integer, got str'),
    ({'iterations': True, 'learning_curve': []}, 'iterations: expected an integer, got bool'),
    ({'learning_curve': []}, 'iterations: missing'),
    ({'iterations': 1, 'learning_curve': [5]}, 'learning_curve[0]: expected an object, got int'),
    ({'iterations': 1, 'learning_curve': [{'iteration': 1, 'val_mAP': 'a'}]},
     'learning_curve[0].val_mAP: expected a number, got str'),
    ({'iterations': 1, 'learning_curve': {}}, 'learning_curve: expected a list, got dict'),
    ({'iterations': 1, 'learning_curve': [], 'notes': 3}, 'notes: expected a string, got int'),
    ({'iterations': 1, 'learning_curve': [], 'other': 'b'}, 'other: expected a number, got str'),
    ([], '<root>: expected an object, got list'),
])
def test_a_schema_names_the_first_field_that_differs(value, problem):
    """What a file must hold is stated once (read_json's schema): a value of
    another type is refused where the file is read, naming the field (a
    regression of issue 27: export_pretrained.py --continues with a
    learning curve of numbers wrote a provenance, then failed with a
    TypeError)."""
    with pytest.raises(JSONFileError) as err:
        check_json_schema(value, SCHEMA, 'p.json', what='--continues')
    assert str(err.value) == f'--continues p.json: {problem}'


def test_a_schema_accepts_what_it_states(tmp_path):
    good = {'iterations': 3, 'learning_curve': [{'iteration': 1, 'val_mAP': 2}], 'notes': None,
            'seconds': 1.5}
    path = _write(tmp_path, '{"iterations": 3, "learning_curve": [], "x": 2}')
    assert check_json_schema(good, SCHEMA, 'p.json') is good
    assert read_json(path, expect=dict, schema=SCHEMA)['x'] == 2
    with pytest.raises(JSONFileError) as err:
        read_json(_write(tmp_path, '{"learning_curve": []}'), schema=SCHEMA)
    assert str(err.value).endswith('f.json: iterations: missing')


def test_no_other_keys_refuses_a_misspelled_optional_field():
    """``str: NO_OTHER_KEYS``: where every field is optional, a misspelled
    one is refused, naming it, instead of reading as absent."""
    schema = {'propagation?': {str: float}, 'wall_seconds': float,
              str: NO_OTHER_KEYS}
    good = {'propagation': {'a': 1.0}, 'wall_seconds': 2}
    assert check_json_schema(good, schema, 'r.json') is good
    with pytest.raises(JSONFileError) as err:
        check_json_schema({'propagatoin': {}, 'wall_seconds': 2}, schema,
                          'r.json')
    assert str(err.value) == ('r.json: propagatoin: unknown field (expected '
                              'propagation, wall_seconds)')
    with pytest.raises(JSONFileError, match=r'r.json: x.b: unknown field'):
        check_json_schema({'x': {'a': 1, 'b': 2}}, {
            'x': {'a': int, str: NO_OTHER_KEYS}}, 'r.json')


def test_json_lines_name_the_line(tmp_path):
    """MMEngine's scalars.json (one object per line): a damaged line names
    the file and the line (it was a bare JSONDecodeError, no file)."""
    path = _write(tmp_path, '{"step": 1, "loss": 0.5}\n\n{"step": 2}\n')
    assert read_json(path, lines=True, schema={'step': int, str: float}) == [
        {'step': 1, 'loss': 0.5}, {'step': 2}]
    _write(tmp_path, '{"step": 1}\n{"step": 2, "lo')
    with pytest.raises(JSONFileError) as err:
        read_json(path, lines=True)
    assert str(err.value) == (f'{path}: line 2: invalid JSON at column 13 (Unterminated string '
                              'starting at): the file ends early (truncated?)')
    _write(tmp_path, '{"step": 1}\n{"step": "x"}\n')
    with pytest.raises(JSONFileError) as err:
        read_json(path, lines=True, schema={'step': int})
    assert str(err.value) == f'{path}: line 2.step: expected an integer, got str'


def test_run_tool_prints_the_error_and_exits_2(tmp_path, capsys):
    path = _write(tmp_path, '{"images": [')

    def main(argv):
        read_json(path)
        return 0

    assert run_tool(main, []) == 2
    err = capsys.readouterr().err
    assert err == (f'error: {path}: invalid JSON at line 1 column 13 (Expecting value): '
                   'the file ends early (truncated?)\n')

    def main_field(argv):
        json_field(read_json(path.replace('f.json', 'g.json')), 'images', list, 'g.json')

    _write(tmp_path, '{"images": {}}', 'g.json')
    assert run_tool(main_field, []) == 2
    assert capsys.readouterr().err == 'error: g.json: images: expected a list, got dict\n'
