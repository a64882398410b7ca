"""Summary statistics from plain text and HTML (issue 13).

:func:`extract_text` reads the statistics an abstract prints (correlations,
medians with quartiles, geometric means with CIs, shares against cut-offs,
effects, fold ratios, P-only comparisons, sample sizes) with standard-library
regular expressions; :func:`read_text_file` and :func:`extract_files` read
files and folders (:func:`text_files` lists what a folder stands for).
"""

from __future__ import annotations

from b12stats.text.extract import (
    COLUMNS,
    extract_files,
    extract_text,
    read_text_file,
    text_files,
)

__all__ = ["COLUMNS", "extract_files", "extract_text", "read_text_file", "text_files"]
