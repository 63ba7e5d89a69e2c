"""The ``alm`` backend: audio-language models on GPU (or tiny ones on CPU); see ``docs/alm.md``.

Importing this package does not import torch; the model modules are imported when the backend loads.
"""

from inference_daemon.backends.alm.backend import AlmBackend

__all__ = ["AlmBackend"]
