"""The `pykro` command line."""

__all__: list[str] = []
