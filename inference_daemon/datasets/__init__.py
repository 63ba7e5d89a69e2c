"""Readers and writers for the corpora behind the model: L2-ARCTIC, L2-Arctic-plus and speechocean762.

They all produce :class:`~inference_daemon.datasets.records.AnnotatedUtterance`, so the dataset
builder, the trainers and the evaluation read one shape whatever the source.
"""
