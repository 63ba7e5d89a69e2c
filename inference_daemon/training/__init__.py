"""Building training data and tuning audio-language models on it: the paper's two stages and Qwen2-Audio LoRA.

Library code behind ``tools/build_dataset.py``, ``tools/train_stage1.py``, ``tools/train_stage2.py``
and ``tools/merge_adapter.py``. Modules that need torch import it themselves, so reading and
writing datasets works on the default install.
"""
