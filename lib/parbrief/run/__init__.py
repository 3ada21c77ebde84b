"""Rendering briefs: parameter resolution, papermill execution, HTML export, manifest."""

#: Language of the render's console lines (progress, summary), like its manifest and logs; the
#: briefs themselves are written in the run's ``lang``. The texts are ``run.console.*`` of the locales.
CONSOLE_LANG = "en"
