"""pytest plugin (entry point `pykro`): provides the `local_cluster` fixture."""
