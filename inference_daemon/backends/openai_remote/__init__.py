"""The ``openai`` backend: audio-language models served by an OpenAI-compatible server (vLLM); see ``docs/alm.md``."""

from inference_daemon.backends.openai_remote.backend import OpenAIBackend

__all__ = ["OpenAIBackend"]
