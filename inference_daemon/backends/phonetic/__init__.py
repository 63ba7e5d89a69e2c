"""The default ``phonetic`` backend: PocketSphinx forced alignment, a competition of each word against
its frequent learner errors (from the phonetics knowledge base) and fitted scores.

Everything runs offline on one CPU core with the acoustic model that ships in the PocketSphinx wheel.
The backend class is :class:`inference_daemon.backends.phonetic.backend.PhoneticBackend`.
"""
