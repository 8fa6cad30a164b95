"""The bad-input corpus: defects real SSD extracts contain, each applied to a copy of a clean
synthetic extract at test time (see :mod:`.cases`; run by ``tests/test_bad_input.py``).

To add a defect: write a function ``damage(folder)`` in :mod:`.cases` that changes the copied
extract (with the helpers of :mod:`.damage`) and append a :class:`.cases.Case` to
:data:`.cases.CASES` with the problems the loader must report, the exit code of
``neglect-analysis validate`` and the row-count changes.
"""
