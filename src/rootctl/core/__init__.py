"""The domain: typed models, target selection, and the operations behind ``RootAccess``.

Core never prints and never reads flags; it reports progress through a callback and returns
models from :mod:`rootctl.models`.
"""
