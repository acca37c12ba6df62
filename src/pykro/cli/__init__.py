"""The `pykro` command line."""
