"""Pronunciation Coach inference daemon: assesses a learner's recording of a target sentence."""

__version__ = "0.1.0"
