"""Rendering graphs to files: plain manifests for a concrete spec (``manifests``), RGD YAML, one file per object."""

from pykro.render._manifests import manifests, write_objects

__all__ = ["manifests", "write_objects"]
