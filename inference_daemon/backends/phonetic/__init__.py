"""The default ``phonetic`` backend: PocketSphinx forced alignment, a free phone loop and fitted GOP scores.

Everything runs offline on one CPU core with the acoustic model that ships in the PocketSphinx wheel.
The backend class is :class:`inference_daemon.backends.phonetic.backend.PhoneticBackend`.
"""
