def test_token_login_and_wrong_password(api_as, anon, make_user):
    make_user("alice", "clerk")
    bad = anon.post("auth/token", {"username": "alice", "password": "wrong"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "invalid_credentials"
    good = anon.post("auth/token", {"username": "alice", "password": "demo-password-1"})
    assert good.status_code == 200 and len(good.json()["token"]) > 20


def test_malformed_json_is_422_naming_body(anon):
    response = anon.client.post("/api/v1/auth/token", data="{", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "malformed_json"
    assert "body" in response.json()["error"]["fields"]


def test_a_nul_character_is_refused_not_a_server_error(anon, db):
    response = anon.post("auth/token", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"username": "must not contain a NUL character"}
    query = anon.get("obligations", {"event": "death\x00", "date": "2025-01-01"})
    assert query.status_code == 422 and "event" in query.json()["error"]["fields"]
