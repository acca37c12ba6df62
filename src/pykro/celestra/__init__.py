"""Celestra's import path for pykro's builders: ``from pykro.celestra import App, StatefulApp, ...`` (the same
names as `pykro.builders`)."""

from pykro.builders import *  # noqa: F403 - the alias exports exactly what pykro.builders exports
from pykro.builders import __all__ as __all__
