"""The ``ctc`` backend: a CTC phoneme recogniser (wav2vec 2.0, HuBERT, WavLM class) with forced alignment and CTC-GOP.

Imported only when ``--backend ctc`` is chosen, because it needs torch and transformers (the ``alm``
extra). Setup, checkpoints and speed: ``docs/ctc.md``.
"""

from inference_daemon.backends.ctc.backend import CtcBackend

__all__ = ["CtcBackend"]
