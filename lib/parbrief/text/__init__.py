"""Ground layer for words and numbers: locale files, translation, number formats, collation.

:mod:`parbrief.text.messages` (``t``, ``locale_strings``), :mod:`parbrief.text.formats`
(``fmt_number`` …) and :mod:`parbrief.text.collation` (``vietnamese_sort_key``).
"""
