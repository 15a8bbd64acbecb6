"""WeChatMiniProgram over the real wechatpy SDK against the WeChat simulator on loopback."""

from __future__ import annotations

import logging

import pytest
import requests
from wechatpy import WeChatClient
from wechatpy.session.memorystorage import MemoryStorage

from backend.vendors.errors import VendorAuthError, VendorError, VendorUnavailable
from backend.vendors.wechat import WeChatIdentity, WeChatMiniProgram


@pytest.fixture
def base_url(wechat_server) -> str:
    return wechat_server.url + "/"


@pytest.fixture
def client(wechat_app, base_url) -> WeChatMiniProgram:
    appid, secret = wechat_app
    return WeChatMiniProgram(appid, secret, api_base_url=base_url, session=MemoryStorage())


def mint(server, appid, **extra) -> dict:
    response = requests.post(f"{server.url}/_sim/login-codes", json={"appid": appid, **extra},
                             timeout=5)
    response.raise_for_status()
    return response.json()


def token_calls(server) -> int:
    calls = requests.get(f"{server.url}/_sim/calls", timeout=5).json()["calls"]
    return calls.get("/cgi-bin/token", 0)


def subscribe(server, openid, template_id, **extra) -> None:
    requests.post(f"{server.url}/_sim/subscriptions",
                  json={"openid": openid, "template_id": template_id, **extra},
                  timeout=5).raise_for_status()


def test_login_returns_the_minted_identity(client, wechat_server, wechat_app):
    minted = mint(wechat_server, wechat_app[0])
    identity = client.code_to_session(minted["code"])
    assert isinstance(identity, WeChatIdentity)
    assert identity.openid == minted["openid"]
    assert identity.unionid is None
    assert identity.session_key
    assert identity.session_key not in repr(identity)


def test_login_passes_the_unionid_through(client, wechat_server, wechat_app):
    unionid = "o" + "u" * 27
    identity = client.code_to_session(mint(wechat_server, wechat_app[0], unionid=unionid)["code"])
    assert identity.unionid == unionid


def test_reused_code_is_an_auth_error(client, wechat_server, wechat_app):
    code = mint(wechat_server, wechat_app[0])["code"]
    client.code_to_session(code)
    with pytest.raises(VendorAuthError) as caught:
        client.code_to_session(code)
    assert (caught.value.vendor, caught.value.code) == ("wechat", "40163")


def test_unknown_code_is_an_auth_error(client):
    with pytest.raises(VendorAuthError) as caught:
        client.code_to_session("0" * 32)
    assert caught.value.code == "40029"


def test_expired_code_is_an_auth_error(client, wechat_server, wechat_app, wechat_clock):
    code = mint(wechat_server, wechat_app[0])["code"]
    wechat_clock.advance(301)
    with pytest.raises(VendorAuthError):
        client.code_to_session(code)


def test_wrong_secret_is_a_vendor_error_not_an_auth_error(wechat_server, wechat_app, base_url):
    client = WeChatMiniProgram(wechat_app[0], "wrong-secret", api_base_url=base_url)
    with pytest.raises(VendorError) as caught:
        client.code_to_session(mint(wechat_server, wechat_app[0])["code"])
    assert not isinstance(caught.value, VendorAuthError | VendorUnavailable)
    assert caught.value.code == "40125"
    assert "wrong-secret" not in str(caught.value)


def test_unknown_appid_is_a_vendor_error(base_url):
    client = WeChatMiniProgram("wx0000000000000000", "x", api_base_url=base_url)
    with pytest.raises(VendorError) as caught:
        client.code_to_session("whatever")
    assert caught.value.code == "40013"


def test_access_token_is_fetched_once_and_cached(client, wechat_server, wechat_app):
    before = token_calls(wechat_server)
    for _ in range(3):
        client.code_to_session(mint(wechat_server, wechat_app[0])["code"])
    assert token_calls(wechat_server) == before + 1


def test_access_token_cache_is_shared_through_the_session_storage(
        wechat_server, wechat_app, base_url):
    shared = MemoryStorage()
    appid, secret = wechat_app
    first = WeChatMiniProgram(appid, secret, api_base_url=base_url, session=shared)
    second = WeChatMiniProgram(appid, secret, api_base_url=base_url, session=shared)
    before = token_calls(wechat_server)
    first.code_to_session(mint(wechat_server, appid)["code"])
    second.code_to_session(mint(wechat_server, appid)["code"])  # another worker, same cache
    assert token_calls(wechat_server) == before + 1


def test_constructing_a_client_does_not_touch_the_network(wechat_server, wechat_app, base_url):
    before = requests.get(f"{wechat_server.url}/_sim/calls", timeout=5).json()
    WeChatMiniProgram(*wechat_app, api_base_url=base_url)
    assert requests.get(f"{wechat_server.url}/_sim/calls", timeout=5).json() == before


def test_subscribe_message_is_delivered(client, wechat_server, wechat_app):
    openid = client.code_to_session(mint(wechat_server, wechat_app[0])["code"]).openid
    subscribe(wechat_server, openid, "tmpl-followup")
    data = {"thing1": {"value": "随访问卷"}, "date2": {"value": "2025年1月2日"}}
    client.send_subscribe_message(openid, "tmpl-followup", data, page="pages/followup/index")
    sent = requests.get(f"{wechat_server.url}/_sim/messages", params={"openid": openid},
                        timeout=5).json()["messages"]
    assert [(m["template_id"], m["page"], m["data"]) for m in sent] == [
        ("tmpl-followup", "pages/followup/index", data)]


def test_subscribe_message_without_page(client, wechat_server, wechat_app):
    openid = mint(wechat_server, wechat_app[0])["openid"]
    subscribe(wechat_server, openid, "tmpl-x")
    client.send_subscribe_message(openid, "tmpl-x", {"thing1": {"value": "x"}})
    sent = requests.get(f"{wechat_server.url}/_sim/messages", params={"openid": openid},
                        timeout=5).json()["messages"]
    assert sent[0]["page"] is None


def test_subscribe_message_refused_by_the_user(client, wechat_server, wechat_app):
    openid = mint(wechat_server, wechat_app[0])["openid"]
    with pytest.raises(VendorError) as caught:
        client.send_subscribe_message(openid, "tmpl-never-accepted", {"thing1": {"value": "x"}})
    assert not isinstance(caught.value, VendorAuthError | VendorUnavailable)
    assert caught.value.code == "43101"


def test_an_expired_access_token_is_refreshed_once_and_the_call_retried(
        client, wechat_server, wechat_app, wechat_clock):
    openid = mint(wechat_server, wechat_app[0])["openid"]
    subscribe(wechat_server, openid, "tmpl-long", long_term=True)
    client.send_subscribe_message(openid, "tmpl-long", {"thing1": {"value": "1"}})
    before = token_calls(wechat_server)
    wechat_clock.advance(7300)  # WeChat expired the token; our cache has not noticed
    client.send_subscribe_message(openid, "tmpl-long", {"thing1": {"value": "2"}})
    assert token_calls(wechat_server) == before + 1


def test_a_token_unknown_to_wechat_is_replaced(wechat_server, wechat_app, base_url):
    storage = MemoryStorage()
    client = WeChatMiniProgram(*wechat_app, api_base_url=base_url, session=storage)
    openid = mint(wechat_server, wechat_app[0])["openid"]
    subscribe(wechat_server, openid, "tmpl-loop", long_term=True)
    # A token from elsewhere that WeChat does not know, e.g. a stale shared cache.
    storage.set(f"{wechat_app[0]}_access_token", "forged")
    client.send_subscribe_message(openid, "tmpl-loop", {"thing1": {"value": "x"}})


def test_a_token_rejected_again_after_a_refresh_is_an_error_not_a_loop(misbehaving_server):
    client = WeChatMiniProgram("wx1", "s", api_base_url=misbehaving_server.url + "/badtoken/")
    with pytest.raises(VendorError) as caught:
        client.send_subscribe_message("o", "t", {"thing1": {"value": "x"}})
    assert caught.value.code == "40001"


def test_every_api_group_is_rebased_without_touching_wechatpy_globals(client, base_url):
    sdk = client.sdk
    assert sdk.API_BASE_URL == base_url + "cgi-bin/"
    assert sdk.wxa.API_BASE_URL == base_url
    assert sdk.datacube.API_BASE_URL == base_url + "datacube/"
    assert WeChatClient.API_BASE_URL == "https://api.weixin.qq.com/cgi-bin/"
    assert WeChatClient("a", "b").wxa.API_BASE_URL == "https://api.weixin.qq.com/"


def test_simulator_down_is_unavailable_and_leaks_no_secret(dead_url, caplog):
    client = WeChatMiniProgram("wx5555555555555555", "s3cr3t-app-secret",
                               api_base_url=dead_url + "/")
    with caplog.at_level(logging.DEBUG, logger="backend.vendors"):
        with pytest.raises(VendorUnavailable) as caught:
            client.code_to_session("the-login-code")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    for text in (str(caught.value), caplog.text):
        assert "s3cr3t-app-secret" not in text and "the-login-code" not in text


def test_timeout_is_unavailable(misbehaving_server):
    client = WeChatMiniProgram("wx1", "s", api_base_url=misbehaving_server.url + "/slow/",
                               timeout=0.2)
    with pytest.raises(VendorUnavailable):
        client.code_to_session("c")


@pytest.mark.parametrize("mode", ["502", "html", "busy"])
def test_5xx_non_json_and_system_busy_are_unavailable(misbehaving_server, mode):
    client = WeChatMiniProgram("wx1", "s", api_base_url=f"{misbehaving_server.url}/{mode}/",
                               session=MemoryStorage())
    client.sdk.session.set("wx1_access_token", "cached")  # get past the token fetch
    with pytest.raises(VendorUnavailable):
        client.code_to_session("c")
    with pytest.raises(VendorUnavailable):
        client.send_subscribe_message("o", "t", {"thing1": {"value": "x"}})


def test_logins_go_on_with_the_token_kept_in_process_when_redis_is_unreachable(
        wechat_server, wechat_app, base_url):
    import socket

    import redis

    from backend.vendors.token_storage import RedisWithLocalFallback

    with socket.socket() as sock:  # a port nobody listens on: every Redis call is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = redis.Redis(port=port, socket_connect_timeout=1)
    appid, secret = wechat_app
    client = WeChatMiniProgram(appid, secret, api_base_url=base_url,
                               session=RedisWithLocalFallback(unreachable, prefix="t"))
    before = token_calls(wechat_server)
    for _ in range(2):
        assert client.code_to_session(mint(wechat_server, appid)["code"]).openid
    assert token_calls(wechat_server) == before + 1  # fetched once, then kept in this process
