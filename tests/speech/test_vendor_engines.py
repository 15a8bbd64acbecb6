"""The PaddleSpeech server client and the DashScope engines against their protocol simulators,
over real HTTP and WebSockets on loopback, with the offline engines doing the work behind them."""

from __future__ import annotations

import pytest
import requests

from conversations.speech import SpeechUnavailable, create_recognizer, create_synthesizer
from simulators.dashscope_speech import DashScopeSpeechSimulator
from simulators.paddlespeech import create_paddlespeech_simulator
from simulators.server import SimulatorServer
from tests import speech_support as speech


@pytest.fixture(scope="module")
def paddlespeech_server():
    app = create_paddlespeech_simulator(speech.recognizer(), speech.synthesizer(), token="proxy")
    with SimulatorServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def dashscope():
    with DashScopeSpeechSimulator(speech.recognizer(), speech.synthesizer(),
                                  api_keys={"sk-speech"}) as simulator:
        yield simulator


def test_paddlespeech_recognises_and_speaks(paddlespeech_server):
    asr = create_recognizer("paddlespeech", base_url=paddlespeech_server.url, token="proxy")
    heard = asr.transcribe(speech.audio("ok01").pcm, 16000)
    assert heard.text.startswith("我要找医生") and heard.engine == "paddlespeech"
    tts = create_synthesizer("paddlespeech", base_url=paddlespeech_server.url, token="proxy",
                             sample_rate=16000)
    spoken = tts.synthesize("请您按时吃药。")
    assert spoken.sample_rate == 16000
    assert "吃药" in asr.transcribe(spoken.pcm, 16000).text
    sent = requests.get(paddlespeech_server.url + "/_sim/requests", timeout=5).json()["requests"]
    asr_body = next(r["body"] for r in sent if r["path"] == "/paddlespeech/asr")
    assert asr_body["audio_format"] == "wav" and asr_body["lang"] == "zh_cn"


def test_paddlespeech_failures_are_reported_not_hidden(paddlespeech_server):
    wrong = create_recognizer("paddlespeech", base_url=paddlespeech_server.url, token="nope")
    with pytest.raises(SpeechUnavailable, match="token"):
        wrong.transcribe(speech.audio("ok01").pcm, 16000)
    requests.post(paddlespeech_server.url + "/_sim/fail", json={"code": 205}, timeout=5)
    try:
        tts = create_synthesizer("paddlespeech", base_url=paddlespeech_server.url, token="proxy")
        with pytest.raises(SpeechUnavailable, match="205"):
            tts.synthesize("您好。")
    finally:
        requests.post(paddlespeech_server.url + "/_sim/fail", json={"code": None}, timeout=5)
    dead = create_recognizer("paddlespeech", base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(SpeechUnavailable, match="unreachable"):
        dead.transcribe(speech.audio("ok01").pcm, 16000)


def test_dashscope_recognises_and_speaks_through_the_sdk(dashscope):
    asr = create_recognizer("dashscope", api_key="sk-speech", url=dashscope.url)
    heard = asr.transcribe(speech.audio("ok01").pcm, 16000)
    assert heard.text.startswith("我要找医生") and heard.segments
    tts = create_synthesizer("dashscope", api_key="sk-speech", url=dashscope.url)
    spoken = tts.synthesize("请您按时吃药。")
    assert spoken.sample_rate == 24000 and spoken.duration_s > 0.8
    assert "吃药" in asr.transcribe(speech.audio_of_wav(spoken).pcm, 16000).text
    models = [(t["task"], t["model"]) for t in dashscope.tasks]
    assert ("asr", "paraformer-realtime-v2") in models and ("tts", "cosyvoice-v2") in models


def test_dashscope_refuses_a_wrong_key_and_an_unknown_voice(dashscope):
    with pytest.raises(SpeechUnavailable, match="401"):
        create_recognizer("dashscope", api_key="sk-wrong", url=dashscope.url).transcribe(
            speech.audio("ok01").pcm, 16000)
    with pytest.raises(SpeechUnavailable, match="voice"):
        create_synthesizer("dashscope", api_key="sk-speech", url=dashscope.url,
                           voice="nobody").synthesize("您好。")
