"""Backend registry: maps ``--backend NAME`` to a class, importing heavy ones only when chosen.

``NAME`` may also be ``package.module:ClassName`` to load a backend from elsewhere (the test suite
uses this for its deterministic test backend).
"""

from __future__ import annotations

import importlib

from inference_daemon.backends.base import AssessmentRequest, Backend, BackendInfo

DEFAULT_BACKEND = "phonetic"

# name -> "module:Class"; modules are imported lazily so that `--help` and the default backend
# never import torch.
_REGISTRY: dict[str, str] = {
    "phonetic": "inference_daemon.backends.phonetic.backend:PhoneticBackend",
    "alm": "inference_daemon.backends.alm:AlmBackend",
    "openai": "inference_daemon.backends.openai_remote:OpenAIBackend",
    "ctc": "inference_daemon.backends.ctc:CtcBackend",
    "cascade": "inference_daemon.backends.cascade:CascadeBackend",
}


def available_backends() -> list[str]:
    return sorted(_REGISTRY)


def backend_class(name: str) -> type[Backend]:
    """Resolve a backend name (or ``module:Class``) to its class."""
    target = _REGISTRY.get(name, name)
    if ":" not in target:
        known = ", ".join(available_backends()) or "none"
        raise ValueError(f"Unknown backend {name!r}. Available: {known} (or module:Class).")
    module_name, class_name = target.split(":", 1)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if name not in _REGISTRY or exc.name is None or exc.name.startswith("inference_daemon"):
            raise
        # A model backend's own dependency (torch, transformers...) is missing: say how to get it.
        raise ImportError(
            f"The {name!r} backend needs the Python package {exc.name!r}, which is not installed. "
            "Install the model extras with 'bash tools/bootstrap.sh --alm' (or pip install -e '.[alm]')."
        ) from exc
    cls = getattr(module, class_name)
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise ValueError(f"{target} is not a Backend subclass")
    return cls


__all__ = [
    "DEFAULT_BACKEND",
    "AssessmentRequest",
    "Backend",
    "BackendInfo",
    "available_backends",
    "backend_class",
]
