"""The paper prepared in the waiting room (quizapp/prepared_paper.py, issue 29): while the
candidate waits, their exam page is rendered for their session and kept; at the start second the
same address sends it as it is (gzip), and it is the page a render would give. It is never sent
before the start, to another session, or once anything was saved or recorded on the attempt; it
is dropped at grading and when the bank changes."""
import gzip
import re
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from quizapp import prepared_paper
from quizapp.accounts import token_hash
from quizapp.bank import sync_bank
from quizapp.models import Attempt, PreparedPaper, Question, utcnow
from quizapp.web.deps import COOKIE
from tests import builders
from tests.conftest import make_client
from tests.integration.test_waiting_room import start_now


def enter_room(client, db, *, minutes_before=10):
    builders.user(db)
    exam = builders.exam(db, opens_at=utcnow() + timedelta(minutes=minutes_before), time_limit_minutes=30)
    builders.login(client)
    url = client.post(f"/exams/{exam.id}/start").headers["location"]
    return exam, url, int(url.rsplit("/", 1)[1])


def prepared_rows(db):
    db.expire_all()
    return {(p.attempt_id, p.session_hash) for p in db.exec(select(PreparedPaper))}


def questions_shown(html: str) -> list[tuple[str, list[str]]]:
    """Each question's id and its options' values, in the order the page shows them."""
    sections = re.split(r'(?=<section[^>]*data-question=")', html)[1:]
    return [(re.search(r'data-question="([^"]+)"', s).group(1), re.findall(r'value="([^"]+)"', s)) for s in sections]


def test_the_room_prepares_the_page_and_the_start_sends_it_as_the_render_would(client, db):
    exam, url, aid = enter_room(client, db)
    session = token_hash(client.cookies[COOKIE])
    client.get(url)                                            # the room
    client.get(url)                                            # again: prepared once per session
    assert prepared_rows(db) == {(aid, session)}
    assert client.get(url, headers={"Accept-Encoding": "gzip"}).headers.get("content-encoding") is None

    start_now(db, exam)
    sent = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert sent.status_code == 200 and sent.headers["content-encoding"] == "gzip"
    assert sent.headers["content-type"].startswith("text/html") and sent.headers["cache-control"] == "no-store"
    assert "content-security-policy" in sent.headers
    prepared = sent.text                                       # httpx unpacks it, as a browser does
    assert 'data-prepared="1"' in prepared and 'data-remaining="1800"' in prepared   # the time at the start
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.headers.get("content-encoding") is None and plain.text == prepared

    client.post(f"/api/attempts/{aid}/events", json={"kind": "enter", "duration_ms": 1500})
    rendered = client.get(url).text                           # an event is recorded: rendered as before
    assert "data-prepared" not in rendered
    assert questions_shown(prepared) == questions_shown(rendered) and len(questions_shown(prepared)) == 5
    token = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
    assert token.search(prepared).group(1) == token.search(rendered).group(1)
    def body(html):          # from the title to the hand-in, less the time left as the page opened (<noscript>)
        return re.sub(r"剩余 \d+ 分 \d+ 秒", "", re.sub(r"\s+", " ", html.split("<h1>")[1].split("<form")[0]))
    assert body(prepared) == body(rendered)


def test_the_prepared_page_is_not_sent_to_another_session_nor_after_a_save(client, db, sqlite_url):
    exam, url, aid = enter_room(client, db)
    client.get(url)
    with make_client(sqlite_url) as phone:                    # the same trainee logs in on a second device
        builders.login(phone)
        phone.get(url)                                         # its room prepares the page for its session
        assert prepared_rows(db) == {(aid, token_hash(phone.cookies[COOKIE]))}
        start_now(db, exam)
        other = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert other.status_code == 200 and "content-encoding" not in other.headers   # rendered for this session
        assert "data-prepared" not in other.text and other.text.count("data-question=") == 5
        assert phone.get(url, headers={"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"
        question = db.get(Question, db.get(Attempt, aid).paper[0]["question_id"])
        saved = phone.post(f"/api/attempts/{aid}/answers",
                           json={"question_id": question.id, "response": builders.response(question, True)})
        assert saved.status_code == 200
        again = phone.get(url, headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in again.headers and "data-prepared" not in again.text


def test_the_paper_is_never_sent_before_the_start_and_grading_drops_it(client, db):
    exam, url, aid = enter_room(client, db)
    client.get(url)
    room = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "data-question=" not in room.text and "content-encoding" not in room.headers
    start_now(db, exam)
    assert client.post(f"/api/attempts/{aid}/submit", json={}).status_code == 200
    assert prepared_rows(db) == set()
    assert client.get(url).status_code == 303                 # graded: the result


def test_a_change_to_the_bank_drops_every_prepared_page(client, db, site):
    exam, url, aid = enter_room(client, db)
    client.get(url)
    assert len(prepared_rows(db)) == 1
    first = site.questions[0]
    sync_bank(db, [replace(first, stem=first.stem + "（修订）")] + site.questions[1:], site.corpus)
    assert prepared_rows(db) == set()
    start_now(db, exam)
    assert "content-encoding" not in client.get(url, headers={"Accept-Encoding": "gzip"}).headers


def test_the_stored_page_is_gzip_and_unpacked_for_a_client_that_takes_no_gzip():
    page = "<html>试卷</html>".encode()
    stored = gzip.compress(page)
    assert prepared_paper.body(stored, "gzip, deflate, br") == (stored, {"Content-Encoding": "gzip",
                                                                          "Vary": "Accept-Encoding"})
    assert prepared_paper.body(stored, "identity") == (page, {"Vary": "Accept-Encoding"})
