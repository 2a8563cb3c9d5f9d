"""Helpers shared by the test folders, imported as ``_helpers...`` (the
tests folder is on ``sys.path``: it has no ``__init__.py``, and pytest puts
it there for the root conftest.py and every test package below it).

* :mod:`.sample_data`: the real sample data in ../shared/data;
* :mod:`.jobs`: tiny PoseWarper / top-down checkpoints, tiny generated
  videos with sparse and dense labels, running tools and demos;
* :mod:`.posetrack_builders`: hand-built PoseTrack18 videos as JSON dicts;
* :mod:`.cvat_sim`: a miniature of CVAT's importer and exporter.
"""
