"""parbrief: statistics and province briefs from Vietnam's PAR (CCHC) index scores."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parbrief")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"
