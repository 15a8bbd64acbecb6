"""The WeChat simulator at the HTTP level: shapes and errcodes as api.weixin.qq.com answers."""

from __future__ import annotations

import pytest
import requests

APPID, OTHER_APPID = "wx1111111111111111", "wx2222222222222222"
SECRET = "secret-one"


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture
def url(wechat_server):
    return wechat_server.url


def mint(http, url, appid=APPID, **extra) -> dict:
    response = http.post(f"{url}/_sim/login-codes", json={"appid": appid, **extra}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def token(http, url, appid=APPID, secret=SECRET) -> dict:
    params = {"grant_type": "client_credential", "appid": appid, "secret": secret}
    return http.get(f"{url}/cgi-bin/token", params=params, timeout=5).json()


def code2session(http, url, code, appid=APPID, secret=SECRET) -> dict:
    params = {"appid": appid, "secret": secret, "js_code": code,
              "grant_type": "authorization_code"}
    return http.get(f"{url}/sns/jscode2session", params=params, timeout=5).json()


def send(http, url, access_token, body) -> dict:
    return http.post(f"{url}/cgi-bin/message/subscribe/send",
                     params={"access_token": access_token}, json=body, timeout=5).json()


def subscribe(http, url, openid, template_id, **extra) -> requests.Response:
    return http.post(f"{url}/_sim/subscriptions",
                     json={"openid": openid, "template_id": template_id, **extra}, timeout=5)


def message(openid, template_id="tmpl-visit", page=None):
    body = {"touser": openid, "template_id": template_id,
            "data": {"thing1": {"value": "门诊复诊提醒"}, "time2": {"value": "2025-01-02 09:00"}}}
    if page:
        body["page"] = page
    return body


# -- /cgi-bin/token -----------------------------------------------------------------------------

def test_token_issues_an_access_token(http, url):
    answer = token(http, url)
    assert set(answer) == {"access_token", "expires_in"}
    assert answer["expires_in"] == 7200
    assert len(answer["access_token"]) > 100


@pytest.mark.parametrize(("appid", "secret", "errcode", "errmsg"), [
    (APPID, "wrong", 40125, "invalid appsecret"),
    ("wx-unknown", "secret-one", 40013, "invalid appid"),
    ("", "secret-one", 41002, "appid missing"),
    (APPID, "", 41004, "appsecret missing"),
    (OTHER_APPID, "secret-one", 40125, "invalid appsecret"),
])
def test_token_rejects_bad_credentials(http, url, appid, secret, errcode, errmsg):
    assert token(http, url, appid, secret) == {"errcode": errcode, "errmsg": errmsg}


def test_token_rejects_other_grant_types(http, url):
    params = {"grant_type": "password", "appid": APPID, "secret": "secret-one"}
    answer = http.get(f"{url}/cgi-bin/token", params=params, timeout=5).json()
    assert answer["errcode"] == 40002


# -- /sns/jscode2session ------------------------------------------------------------------------

def test_code2session_returns_the_minted_openid(http, url):
    minted = mint(http, url)
    openid = minted["openid"]
    assert len(openid) == 28 and openid.startswith("o")
    answer = code2session(http, url, minted["code"])
    assert set(answer) == {"openid", "session_key"}
    assert answer["openid"] == openid
    assert len(answer["session_key"]) == 24  # base64 of 16 bytes


def test_code2session_for_a_chosen_openid_and_unionid(http, url):
    openid, unionid = "o" + "A" * 27, "o" + "U" * 27
    answer = code2session(http, url, mint(http, url, openid=openid, unionid=unionid)["code"])
    assert (answer["openid"], answer["unionid"]) == (openid, unionid)
    # The same user logs in again: same openid, unionid remembered.
    again = code2session(http, url, mint(http, url, openid=openid)["code"])
    assert (again["openid"], again["unionid"]) == (openid, unionid)
    assert again["session_key"] != answer["session_key"]


def test_codes_are_single_use(http, url):
    code = mint(http, url)["code"]
    assert "openid" in code2session(http, url, code)
    assert code2session(http, url, code) == {"errcode": 40163, "errmsg": "code been used"}


def test_unknown_code(http, url):
    assert code2session(http, url, "not-a-code") == {"errcode": 40029, "errmsg": "invalid code"}


def test_code_of_another_app_is_invalid(http, url):
    code = mint(http, url, appid=OTHER_APPID)["code"]
    assert code2session(http, url, code)["errcode"] == 40029
    # ...and it was not consumed by the wrong app.
    assert "openid" in code2session(http, url, code, OTHER_APPID, "secret-two")


def test_codes_expire_after_five_minutes(http, url, wechat_clock):
    fresh, stale = mint(http, url)["code"], mint(http, url)["code"]
    wechat_clock.advance(299)
    assert "openid" in code2session(http, url, fresh)
    wechat_clock.advance(2)
    assert code2session(http, url, stale)["errcode"] == 40029


def test_code2session_checks_the_secret_before_the_code(http, url):
    code = mint(http, url)["code"]
    assert code2session(http, url, code, secret="wrong")["errcode"] == 40125
    assert "openid" in code2session(http, url, code)  # not consumed


def test_code2session_without_code(http, url):
    params = {"appid": APPID, "secret": "secret-one", "grant_type": "authorization_code"}
    answer = http.get(f"{url}/sns/jscode2session", params=params, timeout=5).json()
    assert answer["errcode"] == 41008


# -- /cgi-bin/message/subscribe/send ------------------------------------------------------------

def test_subscribe_message_is_sent_once_per_acceptance(http, url):
    openid = mint(http, url)["openid"]
    access_token = token(http, url)["access_token"]
    body = message(openid, page="pages/visit/detail?id=7")
    assert send(http, url, access_token, body) == {
        "errcode": 43101, "errmsg": "user refuse to accept the msg"}

    assert subscribe(http, url, openid, "tmpl-visit").json()["remaining"] == 1
    assert send(http, url, access_token, body) == {"errcode": 0, "errmsg": "ok"}
    assert send(http, url, access_token, body)["errcode"] == 43101  # one-time acceptance used

    sent = http.get(f"{url}/_sim/messages", params={"openid": openid}, timeout=5).json()
    assert len(sent["messages"]) == 1
    recorded = sent["messages"][0]
    assert recorded["appid"] == APPID
    assert recorded["touser"] == openid
    assert recorded["template_id"] == "tmpl-visit"
    assert recorded["page"] == "pages/visit/detail?id=7"
    assert recorded["data"]["thing1"] == {"value": "门诊复诊提醒"}


def test_acceptances_add_up_and_long_term_is_unlimited(http, url):
    openid = mint(http, url)["openid"]
    access_token = token(http, url)["access_token"]
    subscribe(http, url, openid, "tmpl-a")
    assert subscribe(http, url, openid, "tmpl-a", times=2).json()["remaining"] == 3
    assert subscribe(http, url, openid, "tmpl-b", long_term=True).json()["remaining"] is None
    assert all(send(http, url, access_token, message(openid, "tmpl-a"))["errcode"] == 0
               for _ in range(3))
    assert send(http, url, access_token, message(openid, "tmpl-a"))["errcode"] == 43101
    assert all(send(http, url, access_token, message(openid, "tmpl-b"))["errcode"] == 0
               for _ in range(5))


def test_send_checks_the_access_token(http, url):
    openid = mint(http, url)["openid"]
    subscribe(http, url, openid, "tmpl-visit", long_term=True)
    assert send(http, url, "forged", message(openid))["errcode"] == 40001
    missing = http.post(f"{url}/cgi-bin/message/subscribe/send", json=message(openid), timeout=5)
    assert missing.json()["errcode"] == 41001


def test_access_tokens_expire_and_a_refresh_supersedes_the_old_one(http, url, wechat_clock):
    openid = mint(http, url)["openid"]
    subscribe(http, url, openid, "tmpl-visit", long_term=True)
    first = token(http, url)["access_token"]
    wechat_clock.advance(60)
    second = token(http, url)["access_token"]
    assert second != first
    assert send(http, url, first, message(openid))["errcode"] == 0  # 5-minute overlap
    wechat_clock.advance(301)
    assert send(http, url, first, message(openid)) == {
        "errcode": 42001, "errmsg": "access_token expired"}
    assert send(http, url, second, message(openid))["errcode"] == 0
    wechat_clock.advance(7200)
    assert send(http, url, second, message(openid))["errcode"] == 42001


def test_send_to_a_user_of_another_app_is_an_invalid_openid(http, url):
    openid = mint(http, url, appid=OTHER_APPID)["openid"]
    subscribe(http, url, openid, "tmpl-visit", long_term=True)
    assert send(http, url, token(http, url)["access_token"], message(openid))["errcode"] == 40003


def test_send_validates_the_body(http, url):
    access_token = token(http, url)["access_token"]
    openid = mint(http, url)["openid"]
    raw = http.post(f"{url}/cgi-bin/message/subscribe/send", params={"access_token": access_token},
                    data=b"{not json", timeout=5)
    assert raw.json()["errcode"] == 47001
    assert send(http, url, access_token, {"touser": openid, "data": {}})["errcode"] == 40037
    no_data = {"touser": openid, "template_id": "t", "data": {}}
    assert send(http, url, access_token, no_data)["errcode"] == 47003
    bad_item = {"touser": openid, "template_id": "t", "data": {"thing1": "x"}}
    assert send(http, url, access_token, bad_item)["errcode"] == 47003


# -- control endpoints --------------------------------------------------------------------------

def test_control_endpoints_validate_their_input(http, url):
    codes_url = f"{url}/_sim/login-codes"
    assert http.post(codes_url, json={"appid": "nope"}, timeout=5).status_code == 404
    assert http.post(codes_url, json={}, timeout=5).status_code == 400
    assert http.post(codes_url, data="x", timeout=5).status_code == 400
    taken = mint(http, url, appid=OTHER_APPID)["openid"]
    assert http.post(f"{url}/_sim/login-codes", json={"appid": APPID, "openid": taken},
                     timeout=5).status_code == 409
    assert subscribe(http, url, "o" + "Z" * 27, "t").status_code == 404
    assert subscribe(http, url, taken, "t", times=0).status_code == 400


def test_calls_are_counted_per_vendor_path(http, url):
    before = http.get(f"{url}/_sim/calls", timeout=5).json()["calls"]
    token(http, url)
    code2session(http, url, mint(http, url)["code"])
    after = http.get(f"{url}/_sim/calls", timeout=5).json()["calls"]
    assert after["/cgi-bin/token"] == before.get("/cgi-bin/token", 0) + 1
    assert after["/sns/jscode2session"] == before.get("/sns/jscode2session", 0) + 1
    assert not any(path.startswith("/_sim/") for path in after)
