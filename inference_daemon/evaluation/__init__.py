"""Benchmark metrics of the paper and phone-level diagnosis, computed on feedback documents.

Any backend's documents are compared with annotated utterances: which words were named
(detection), how close the feedback text is to the reference (BLEU-2, ROUGE-L, BERTScore), and,
where a backend gives phones, mispronunciation detection and diagnosis per phone.
"""
