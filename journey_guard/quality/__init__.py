"""The test layers themselves: the spec's facts and what proves each (``spec_facts``, ``coverage``),
mutation testing (``mutants``, ``mutants_pytest``), sessions side by side (``parallel``) and their
timings (``bench``).
"""
