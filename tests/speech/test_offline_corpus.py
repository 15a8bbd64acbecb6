"""The offline recognizer on the committed corpus: ≥ 30 noisy Mandarin recordings of health
answers, BP pairs, dates and drug names, made by the offline voice (scripts/make_speech_corpus.py).

The character error rate is measured here and printed by `python -m bench voice`; this test
guards it from getting worse (Whisper base on synthetic speech with white noise: ≈ 0.26).
"""

from __future__ import annotations

from conversations.speech.evaluation import corpus_cer, score
from tests import speech_support as speech

CER_CEILING = 0.32


def test_the_corpus_is_big_enough_and_covers_what_patients_say():
    kinds = [u["kind"] for u in speech.utterances() if u["snr_db"] is not None]
    assert len(kinds) >= 30
    assert {"bp", "date", "drug", "answer", "number"} <= set(kinds)


def test_noisy_recordings_are_transcribed_within_the_error_budget():
    recognizer = speech.recognizer()
    scores, understood = [], 0
    for item in speech.utterances():
        heard = recognizer.transcribe(speech.audio(item["id"]).pcm, 16000)
        assert heard.engine == "offline" and heard.language == "zh"
        scores.append(score(item["reference"], heard.text))
        understood += all(word in heard.text for word in item["expect"])
    assert corpus_cer(scores) <= CER_CEILING
    assert understood >= len(scores) // 2  # the words that matter survive in most of them


def test_clear_speech_is_transcribed_exactly():
    recognizer = speech.recognizer()
    for utterance_id in ("rf01", "ok01"):
        heard = recognizer.transcribe(speech.audio(utterance_id).pcm, 16000)
        assert score(speech.utterance(utterance_id)["reference"], heard.text).cer == 0


def test_the_offline_voice_says_what_it_is_given():
    spoken = speech.synthesizer().synthesize("请您按时吃药。")
    assert spoken.sample_rate == 24000 and 0.8 < spoken.duration_s < 4
    heard = speech.recognizer().transcribe(speech.audio_of_wav(spoken).pcm, 16000)
    assert "吃药" in heard.text
