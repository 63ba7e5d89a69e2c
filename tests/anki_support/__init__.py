"""Test support for the Anki add-on: importing it, real collections, a real headless Anki window."""
