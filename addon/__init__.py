"""Pronunciation Coach for Anki: read a card's sentence aloud, get feedback, and practise it sooner.

This file only connects Anki's hooks to the add-on; everything else happens when a hook fires.
"""

from __future__ import annotations

from aqt import gui_hooks

from .authoring.browser_action import register_browser_actions
from .coach import Coach

coach = Coach(__name__)

gui_hooks.main_window_did_init.append(coach.main_window_ready)
gui_hooks.profile_did_open.append(coach.profile_opened)
gui_hooks.profile_will_close.append(coach.profile_closing)
gui_hooks.card_will_show.append(coach.reviewer.card_will_show)
gui_hooks.reviewer_did_show_question.append(coach.reviewer.question_shown)
gui_hooks.reviewer_will_answer_card.append(coach.reviewer.will_answer)
gui_hooks.reviewer_did_answer_card.append(coach.reviewer.did_answer)
gui_hooks.reviewer_will_end.append(coach.reviewer.reviewer_will_end)
gui_hooks.webview_did_receive_js_message.append(coach.reviewer.js_message)
gui_hooks.state_shortcuts_will_change.append(coach.reviewer.shortcuts)
# Present in the Anki versions the manifest allows; looked up by name so an older Anki only loses these two.
for hook_name, handler in (("reviewer_will_init_answer_buttons", coach.reviewer.answer_buttons),
                           ("reviewer_will_replay_recording", coach.reviewer.replay_recording)):
    if (hook := getattr(gui_hooks, hook_name, None)) is not None:
        hook.append(handler)
register_browser_actions()
