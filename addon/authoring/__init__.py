"""Deck authoring: turn authors' sentence files and existing notes into Pronunciation Practice notes.

Modules that need Anki's GUI (``dialog``, ``menu_actions``, ``browser_action``) import ``aqt``;
the rest need only the ``anki`` library, so ``tools/make_deck.py`` can use them outside Anki.
"""
