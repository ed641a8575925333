"""The package version, in a module of its own so any layer can read it without importing the
package's public surface (``rootctl/__init__`` imports the engine, which imports aws)."""

__version__ = "0.1.0"
