"""The digest ("bản tin", issue 22): what each official needs to act on, delivered without opening the dashboard.

Three layers, below the dashboard (nothing here imports it): ``content`` asks the engine and applies the account's
scope, ``writers`` makes the text, the XLSX and (monthly) the written report, ``delivery`` sends them once by
e-mail or webhook. ``command`` is ``dvcq digest``. docs/digest.md says what a digest holds and how to schedule it.
"""
