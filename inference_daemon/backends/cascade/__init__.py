"""The ``cascade`` backend: speech recogniser + word alignment + optional text LLM (see :mod:`.backend`).

Importing this package imports neither torch nor transformers; local checkpoints load them on
:meth:`CascadeBackend.load`.
"""

from inference_daemon.backends.cascade.backend import CascadeBackend

__all__ = ["CascadeBackend"]
