"""The paper's own prompts, word for word, for runs whose figures should stand beside the paper's.

From the paper's released code (github zoeyada/ALMs4Learning, MIT): the prompt its speech LLM was
tuned with (``data/training_datasets/build/build_finetune_dataset.py``; the recording goes where the
text says ``<speech>``), and the zero-shot prompts of its Qwen2-Audio and GPT-4o runs
(``pipelines/existing_alms/alms/``): a system prompt and a one-shot worked example, with the
learner's recording after the ``Ground Truth`` line. The GPT-4o prompt also sends the worked
example's recording (L2-ARCTIC ``ABA/wav/arctic_a0501.wav`` in the paper), marked by
:data:`~inference_daemon.backends.alm.prompt.EXAMPLE_PLACEHOLDER`. Whitespace is kept as released:
the indentation of the Qwen2-Audio prompt is part of what that model was shown.

Known differences from the release, kept on purpose: the release's inference script for the tuned
model indents the second line of the system prompt, drops the prompt's last newline and lower-cases
the sentence without punctuation, while its training data used the text as written; here the
training prompt is used for both, so a model is asked what it was tuned on.
"""

from __future__ import annotations

from inference_daemon.backends.alm.prompt import EXAMPLE_PLACEHOLDER, AnswerFormat, Prompt, PromptStyle

_RULES_TUNED = [
    "1. Analyze each word in the Ground Truth and compare it with the pronunciation in the actual audio.",
    "2. If the word in the Ground Truth has one or more pronunciation issues based on the audio:",
    "    a. List the word from the Ground Truth.",
    '    b. Combine all issues into a single line under "issue".',
    "    c. Provide a single combined suggestion for correcting the issues using ARPAbet phonetic symbols.",
    '3. If no errors are found in any of the Ground Truth words, output "No Problem". ',
    '4. Do not output anything except for the words with pronunciation issues or "No Problem". ',
    "5. Ensure the analysis focuses on the pronunciation of Ground Truth words as they appear in the audio.",
    "6. Do not include any additional commentary outside of the analysis and suggestions.",
    "7. Use ARPAbet symbols to describe phonetic issues.",
]

TUNED_SYSTEM = (
    "You are a phonetics expert tasked with identifying pronunciation differences between the provided Ground "
    "Truth and the corresponding pronunciation. \n"
    "Analyze each word in the Ground Truth, identify pronunciation issues, and offer suggestions for improvement. "
)
_TUNED_BEFORE_RECORDING = (
    "Your task is to analyze the provided audio and compare it with the Ground Truth to identify pronunciation "
    "differences at the phoneme level.\nThe audio in "
)
_TUNED_AFTER_RECORDING = "\n".join([
    " contains a recording by a non-native English speaker. ",
    "",
    "Below is the ground truth transcription:",
    'Ground Truth: "{ground_truth}"',
    "",
    "Output Format:",
    "word: <mispronounced_word> issue: <issues> suggestion: <suggestions>",
    "...",
    "",
    "Output Rules:",
    *_RULES_TUNED,
    "",
])

# The worked example shared by both zero-shot prompts (one sentence of L2-ARCTIC speaker ABA).
_EXAMPLE_SENTENCE = "you're joking me sir the other managed to articulate"
_EXAMPLE_ANSWER = [
    'word: joking issue: "JH" was replaced with "ZH", indicating a substitution error. An extra "G" sound was '
    'added, indicating an addition error. An extra "AH" sound was added, indicating an addition error. '
    'suggestion: Practice the difference between /JH/ as in "JOKE" (/JH OW K/) and /ZH/ as in "MEASURE" '
    '(/M EH ZH ER/). Focus on stopping after the /NG/ as in "KING" (/K IH NG/) without additional sounds. '
    "Avoid adding extra vowel sounds after completing the word.",
    'word: sir issue: Unclear pronunciation, "ER" perceived with uncertainty suggestion: Practice /ER/ as in '
    '"SIR" (/S ER/) to add clarity',
    'word: other issue: "DH" was replaced with "Z", indicating a substitution error. Unclear pronunciation, "ER" '
    'perceived with uncertainty. suggestion: Practice unvoiced /DH/ as in "THIS" (/DH IH S/) instead of voiced '
    'consonant sounds like /Z/. Practice /ER/ as in "HER" (/HH ER/) for more distinct articulation.',
    'word: managed issue: "JH" was replaced with "ZH", indicating a substitution error suggestion: Practice the '
    'distinction between /JH/ as in "JUDGE" (/JH AH JH/) and /ZH/ as in "VISION" (/V IH ZH UH N/)',
    'word: articulate issue: "R" was replaced with a foreign-accented "R*", indicating a substitution error. '
    '"EY" was replaced with "EH", indicating a substitution error. suggestion: Practice the American /R/ sound '
    'as in "RED" (/R EH D/) emphasizing the retroflex position of the tongue. Practice the distinction between '
    '/EY/ as in "DATE" (/D EY T/) and /EH/ as in "BET" (/B EH T/)',
]


def _indented(lines: list[str | None], indent: str = "    ") -> str:
    """Lines as they stand in an indented triple-quoted string of the release; None is a line with no indent."""
    return "\n".join("" if line is None else indent + line for line in lines)


QWEN2_AUDIO_SYSTEM = "\n" + _indented([
    "You are a phonetics expert tasked with analyzing the pronunciation of audio and comparing it to the "
    "provided Ground Truth text.",
    "Your goal is to identify pronunciation issues, such as substitution, addition, or deletion of sounds, based "
    "on the audio input.",
    None,
    "Instructions:",
    "1. For each word in the Ground Truth, compare its pronunciation in the audio.",
    "2. Identify any mispronunciations and describe the issue (substitution, addition, deletion of sounds).",
    "3. For each issue, provide a suggestion using ARPAbet phonetic symbols.",
    '4. If the pronunciation is correct, simply output "No Problem".',
    "5. Do not include additional commentary. Just output the issues and suggestions for each word that has "
    "problems.",
    None,
    "Your task is to analyze the following audio and Ground Truth text for pronunciation issues and provide your "
    "suggestions.",
]) + "\n"
_QWEN2_AUDIO_BEFORE_RECORDING = "\n" + _indented([
    "You are a phonetics expert. Your task is to detect mispronouciation based on given Ground Truth and Audio.",
    "This is an example of the format you should use and some output rules you should follow.",
    "",
    "Output Format:",
    "word: <word_in_ground_truth> issue: <issues> suggestion: <suggestions>",
    "word: <word_in_ground_truth> issue: <issues> suggestion: <suggestions>",
    "…",
    "",
    "Output Rules:",
    "1. Analyze each word in the Ground Truth and compare it with the pronunciation in the actual audio.",
    "2. If the word in the Ground Truth has one or more pronunciation issues based on the audio:",
    "    a. List the word from the Ground Truth.",
    '    b. Combine all issues into a single line under "issue".',
    "    c. Provide a single combined suggestion for correcting the issues using ARPAbet phonetic symbols.",
    "3. Ensure the analysis focuses on the pronunciation of Ground Truth words as they appear in the audio.",
    "4. Do not include any additional commentary outside of the analysis and suggestions. Just begin with the "
    "first mispronunced word, instead of using 'Output:'.",
    "5. Use ARPAbet symbols and English to describe phonetic issues. ",
    "6. If there are no issues with the words in the Ground Truth, output 'No Problem'. \"No Problem\" should "
    "appear on its own and cannot be included as part of the issue or suggestion.",
    None,
    "Here is an example of how you should analyze pronunciation based on the audio and the Ground Truth text. ",
    "",
    "Input:",
    f'Ground Truth: "{_EXAMPLE_SENTENCE}"',
    None,
    "Output:",
    *_EXAMPLE_ANSWER,
    "",
    "Input:",
    'Ground Truth: "{ground_truth}"',
])
_QWEN2_AUDIO_AFTER_RECORDING = "Output:"

GPT4O_SYSTEM = (
    "\nYou are a phonetics expert tasked with identifying pronunciation differences between the provided Ground "
    "Truth and the corresponding pronunciation. \n"
    "Analyze each word in the Ground Truth, identify pronunciation issues, and offer suggestions for improvement. "
    "\n    "
)
_GPT4O_BEFORE_RECORDING = "\n".join([
    "",
    "You are a phonetics expert. Your task is to detect mispronouciation based on given Ground Truth and Audio.",
    "This is an example of the format you should use and some output rules you should follow.",
    "        ",
    "Output Format:",
    "word: <one_word_in_ground_truth> issue: <issues> suggestion: <suggestions>",
    "word: <one_word_in_ground_truth> issue: <issues> suggestion: <suggestions>",
    "…",
    "        ",
    "Output Rules:",
    *_RULES_TUNED[:5],
    '3. If no errors are found in any of the Ground Truth words, output "No Problem". But there is a high '
    "probability of pronunciation problems.",
    *_RULES_TUNED[6:7],
    "5. Ensure the analysis focuses on the pronunciation of Ground Truth words as they appear in the audio.",
    "6. Do not include any additional commentary outside of the analysis and suggestions.",
    "7. Use ARPAbet symbols to describe phonetic issues.",
    "",
    "Here is an example of how you should analyze pronunciation based on the audio and the Ground Truth text. ",
    "        ",
    "Input:",
    f'Ground Truth: "{_EXAMPLE_SENTENCE}"',
    f"Audio: {EXAMPLE_PLACEHOLDER}",
    "Output:",
    *_EXAMPLE_ANSWER,
    "        ",
    "Input:",
    "Ground Truth: {ground_truth}",
    "Audio: ",
])
_GPT4O_AFTER_RECORDING = "\nOutput:\n"


def paper_prompt(sentence: str, answer_format: AnswerFormat, style: PromptStyle) -> Prompt:
    """One of the paper's prompts for ``sentence``; they ask for the text format only (ValueError otherwise)."""
    if answer_format is not AnswerFormat.text:
        raise ValueError(f"the paper's prompts ask for the text answer format, not {answer_format.value}")
    if style is PromptStyle.paper_tuned:
        return Prompt(system=TUNED_SYSTEM, preamble=_TUNED_BEFORE_RECORDING,
                      instruction=_TUNED_AFTER_RECORDING.format(ground_truth=sentence), answer_format=answer_format)
    if style is PromptStyle.paper_qwen2_audio:
        return Prompt(system=QWEN2_AUDIO_SYSTEM, preamble=_QWEN2_AUDIO_BEFORE_RECORDING.format(ground_truth=sentence),
                      instruction=_QWEN2_AUDIO_AFTER_RECORDING, answer_format=answer_format)
    if style is PromptStyle.paper_gpt4o:
        return Prompt(system=GPT4O_SYSTEM, preamble=_GPT4O_BEFORE_RECORDING.replace("{ground_truth}", sentence),
                      instruction=_GPT4O_AFTER_RECORDING, answer_format=answer_format)
    raise ValueError(f"{style.value} is not one of the paper's prompts")


#: The paper's 16 stage-1 instructions (``build_pretrain_dataset.py``); ``<speech>`` marks the recording.
STAGE1_PHRASES = (
    "Repeat the content of the audio <speech>",
    "Transcribe <speech>",
    "What is being said in <speech>",
    "Can you interpret <speech>?",
    "Please convert <speech> into text",
    "What does <speech> say?",
    "Could you transcribe <speech> for me?",
    "I need the text of <speech>",
    "Can you write out <speech>?",
    "What's the content of <speech>?",
    "Please provide the transcript of <speech>",
    "Can you decode <speech>?",
    "What is the transcription of <speech>?",
    "Can you jot down <speech>?",
    "What is the written form of <speech>?",
    "Can you transcribe <speech>?",
)


def stage1_prompt(phrase: str) -> Prompt:
    """A stage-1 prompt of the paper: no system message, the recording where the phrase says ``<speech>``."""
    before, _, after = phrase.partition("<speech>")
    return Prompt(system=None, preamble=before, instruction=after, answer_format=AnswerFormat.text)
