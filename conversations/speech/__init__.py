"""Speech for the assistant and the follow-up caller: recognizers (ASR) and synthesizers (TTS).

    asr = create_recognizer("offline")                  # faster-whisper, Whisper base weights
    tts = create_synthesizer("paddlespeech", base_url="http://asr-host:8090")
    audio = decode_audio(data, "mp3")   # conversations.speech.audio → Audio(pcm, 16000)
    heard = asr.transcribe(audio.pcm, audio.sample_rate)   # → Transcript(text, …)
    spoken = tts.synthesize("请您按时吃药。")             # → Audio(pcm, sample_rate)

Engines: "offline" (default; no server), "paddlespeech" (the hospital's paddlespeech_server over
HTTP) and "dashscope" (paraformer ASR, CosyVoice TTS over the DashScope websocket API). Vendor
libraries are imported only when their engine is created.
"""

from conversations.speech.base import (
    ASR_SAMPLE_RATE,
    MAX_SYNTHESIS_CHARS,
    Audio,
    Segment,
    SpeechError,
    SpeechRecognizer,
    SpeechRejected,
    SpeechSynthesizer,
    SpeechUnavailable,
    Transcript,
    check_text,
    create_recognizer,
    create_synthesizer,
    recognizer_names,
    register_recognizer,
    register_synthesizer,
    split_sentences,
    synthesizer_names,
)

__all__ = [
    "ASR_SAMPLE_RATE",
    "MAX_SYNTHESIS_CHARS",
    "Audio",
    "Segment",
    "SpeechError",
    "SpeechRecognizer",
    "SpeechRejected",
    "SpeechSynthesizer",
    "SpeechUnavailable",
    "Transcript",
    "check_text",
    "create_recognizer",
    "create_synthesizer",
    "recognizer_names",
    "register_recognizer",
    "register_synthesizer",
    "split_sentences",
    "synthesizer_names",
]
