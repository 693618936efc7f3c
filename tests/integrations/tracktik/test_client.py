"""The TrackTik HTTP client against the fake server: paging (a shorter last page), include,
the filters and sort, the refresh before expiry, 401 handling and readable failures."""

from __future__ import annotations

from integrations.tracktik.client import RetryPolicy, TracktikClient, TracktikError

from . import fake_server as fk


def client_for(fake, **extra) -> TracktikClient:
    return TracktikClient(
        base_url=fake.url,
        client_id=fk.CLIENT_ID,
        client_secret=fk.CLIENT_SECRET,
        username=fk.USERNAME,
        password=fk.PASSWORD,
        retry=RetryPolicy(attempts=3, backoff_base=0.001, max_wait=0.01),
        **extra,
    )


def test_pages_until_total_pages_with_a_shorter_last_page(fake):
    fake.data["shifts"] = [fk.shift(n, 101, 11, 21, "2026-11-02T06:00:00", 1) for n in range(1, 251)]

    with client_for(fake) as client:
        pages = list(client.pages("/shifts"))

    assert [len(p.rows) for p in pages] == [100, 100, 50]
    assert [p.total_pages for p in pages] == [3, 3, 3]
    assert [q["page"] for q in fake.gets("shifts")] == ["1", "2", "3"]


def test_concurrent_pages_come_in_order_and_renew_an_expired_token_once(fake):
    fake.data["shifts"] = [fk.shift(n, 101, 11, 21, "2026-11-02T06:00:00", 1) for n in range(1, 1251)]
    fake.expire_after = 4  # while several pages are in flight

    with client_for(fake) as client:
        pages = list(client.concurrent_pages("/shifts", {"sort": "id"}, workers=3))

    assert [p.page for p in pages] == list(range(1, 14)) and [len(p.rows) for p in pages][-1] == 50
    ids = [row["id"] for p in pages for row in p.rows]
    assert sorted(ids) == list(range(1, 1251))  # each once (the fake sorts ids as text)
    assert fake.grants == ["password", "refresh_token"]  # one renewal for all the threads


def test_a_failing_page_of_concurrent_pages_raises_after_the_pages_before_it(fake):
    fake.data["shifts"] = [fk.shift(n, 101, 11, 21, "2026-11-02T06:00:00", 1) for n in range(1, 601)]
    fake.fail("/rest/v1/shifts", 500, 10, query={"page": "4"})
    seen = []

    with client_for(fake) as client:
        try:
            for page in client.concurrent_pages("/shifts", {"sort": "id"}):
                seen.append(page.page)
        except TracktikError as exc:
            failure = str(exc)

    assert seen == [1, 2, 3]
    assert failure == "TrackTik answered /rest/v1/shifts with HTTP 500; gave up after 3 tries."


def test_filters_sort_and_include(fake):
    with client_for(fake) as client:
        (page,) = client.pages(
            "/shifts",
            {
                "startedOn:between": "2026-11-03|2026-11-04",
                "client.id": 11,
                "status": "APPROVED",
                "sort": "-startedOn",
                "include": "employee,position,client",
            },
        )

    assert [row["id"] for row in page.rows] == [1003, 1006, 1002]
    assert page.rows[0]["employee"]["customId"] == "G101" and page.rows[0]["client"]["customId"] == "CA AMS"
    assert page.rows[0]["position"]["postPositionCode"] == "FD1"


def test_the_token_is_refreshed_before_it_expires(fake):
    now = [1000.0]
    with client_for(fake, clock=lambda: now[0]) as client:
        client.get("/employees")
        now[0] += 3600 - 30  # within the last minute of the token's hour
        client.get("/employees")
        client.get("/employees")

    assert fake.grants == ["password", "refresh_token"]


def test_a_refused_refresh_falls_back_to_the_password_grant(fake):
    with client_for(fake) as client:
        client.get("/employees")
        fake.refresh_tokens.clear()  # the server forgot every refresh token
        fake.expire_tokens()

        client.get("/employees")

    assert fake.grants == ["password", "refresh_token", "password"]


def test_failures_are_readable(fake):
    fake.fail("/rest/v1/clients", 503, 5)
    with client_for(fake) as client:
        try:
            client.get("/clients")
        except TracktikError as error:
            reason = str(error)
    assert reason == "TrackTik answered /rest/v1/clients with HTTP 503; gave up after 3 tries."

    bad = TracktikClient(base_url=fake.url, client_id=fk.CLIENT_ID, client_secret="x", username="u", password="p")
    try:
        bad.authenticate()
    except TracktikError as error:
        assert "refused the credentials (HTTP 401)" in str(error)
    else:
        raise AssertionError("no error")
