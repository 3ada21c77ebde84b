"""Rendering briefs: parameter resolution, papermill execution, HTML export, manifest."""
