"""Rendering briefs: parameter resolution, papermill execution, HTML export, manifest."""

import sys as _sys

# nbformat, papermill and nbconvert import jsonschema, which builds an IRI grammar with lark at
# import when the optional rfc3987-syntax is installed (jupyter-events asks for it): 0.85 s of
# CPU at the start of every render, beside the starting kernels, for a string format no notebook
# schema checks. The render declines that optional import (jsonschema then skips the format).
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
