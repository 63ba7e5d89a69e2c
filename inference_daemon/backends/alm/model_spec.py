"""Where an ``alm`` model comes from, without importing torch (the backend's options build on it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModelSpec:
    """One directory or hub id, or the speech LLM's parts (encoder, LLM, projector, adapter)."""

    model: str | None = None
    encoder: str | None = None
    llm: str | None = None
    projector: Path | None = None
    adapter: Path | None = None
    family: str = "auto"

    @property
    def label(self) -> str:
        return self.model or f"{self.encoder}+{self.llm}"
