"""The record button and status line on a reviewed card, and the JavaScript that updates them in place.

Pure HTML/JS strings. The button sends ``pycmd("pronunciation_coach:toggle")``; Python updates the
status with :func:`status_update_js` so a redraw of the card is never needed while recording.
"""

from __future__ import annotations

import json
from html import escape

TOGGLE_MESSAGE = "pronunciation_coach:toggle"
SLOT = '<div id="pc-controls-slot"></div>'

CONTROLS_CSS = """
.pc-controls { display: flex; justify-content: center; align-items: center; gap: 0.7em; margin: 1em auto;
  font-size: 16px; flex-wrap: wrap; }
.pc-record { display: inline-flex; align-items: center; gap: 0.45em; padding: 0.35em 0.95em; font-size: 1em;
  border-radius: 999px; cursor: pointer; }
.pc-dot { width: 0.7em; height: 0.7em; border-radius: 50%; background: #9e9e9e; display: inline-block; }
.pc-state-recording .pc-dot { background: #e53935; animation: pc-pulse 1s ease-in-out infinite; }
.pc-state-sending .pc-dot { background: #1e88e5; }
.pc-state-done .pc-dot { background: #43a047; }
.pc-state-queued .pc-dot, .pc-state-error .pc-dot, .pc-state-needs-work .pc-dot { background: #fb8c00; }
.pc-status { color: #555; }
.nightMode .pc-status, .night_mode .pc-status { color: #c8c8c8; }
@keyframes pc-pulse { 50% { opacity: 0.25; } }
"""

_BUTTON_LABELS = {"recording": "Stop"}


def controls_html(shortcut: str, state: str, status: str) -> str:
    """The control bar, drawn in ``state`` (idle, recording, sending, queued, done, error)."""
    label = _BUTTON_LABELS.get(state, "Record")
    return (
        f'<div id="pc-controls" class="pc-controls pc-state-{escape(state)}">'
        f'<button id="pc-record" class="pc-record" title="Start or stop recording ({escape(shortcut)})" '
        f"onclick='pycmd({escape(json.dumps(TOGGLE_MESSAGE))}); return false;'>"
        f'<span class="pc-dot"></span><span id="pc-record-label">{escape(label)}</span></button>'
        f'<span id="pc-status" class="pc-status" role="status">{escape(status)}</span></div>'
    )


def with_controls(card_html: str, controls: str, styles: str) -> str:
    """Put the controls in the card's slot (or after its content) and its styles before it."""
    styled = f"<style>{styles}</style>"
    if SLOT in card_html:
        return styled + card_html.replace(SLOT, controls, 1)
    return styled + card_html + controls


def status_update_js(state: str, status: str) -> str:
    """JavaScript that redraws the bar's state and status text, if the bar is on screen."""
    label = _BUTTON_LABELS.get(state, "Record")
    return (
        "(function(){var bar=document.getElementById('pc-controls');if(!bar){return;}"
        f"bar.className='pc-controls pc-state-'+{json.dumps(state)};"
        f"document.getElementById('pc-status').textContent={json.dumps(status)};"
        f"document.getElementById('pc-record-label').textContent={json.dumps(label)};}})();"
    )
