"""The sealed paper's cipher (quizapp/sealed_paper.py): a seal opens with its exam's key for its
attempt only; the key is the exam's and its start second's."""
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.exceptions import InvalidTag

from quizapp.sealed_paper import NONCE_BYTES, exam_key, open_seal, seal

SIGNING_KEY = "9f" * 32
START = datetime(2026, 12, 8, 1, 30, tzinfo=timezone.utc)
PAGE = "<html>试卷</html>".encode() * 40


def test_a_seal_opens_with_its_exam_key_for_its_attempt():
    key = exam_key(SIGNING_KEY, 7, START)
    sealed = seal(key, 41, PAGE)
    assert PAGE not in sealed and len(sealed) == NONCE_BYTES + len(PAGE) + 16
    assert open_seal(key, 41, sealed) == PAGE
    assert seal(key, 41, PAGE) != sealed                       # a fresh nonce each time


@pytest.mark.parametrize("other", [
    dict(exam_id=8),                                          # another exam
    dict(starts_at=START + timedelta(minutes=10)),            # the start moved
    dict(signing_key="a0" * 32),                              # another platform
])
def test_no_other_key_opens_it(other):
    sealed = seal(exam_key(SIGNING_KEY, 7, START), 41, PAGE)
    args = dict(signing_key=SIGNING_KEY, exam_id=7, starts_at=START) | other
    with pytest.raises(InvalidTag):
        open_seal(exam_key(**args), 41, sealed)


def test_a_seal_does_not_open_for_another_attempt_or_with_a_byte_changed():
    key = exam_key(SIGNING_KEY, 7, START)
    sealed = seal(key, 41, PAGE)
    with pytest.raises(InvalidTag):
        open_seal(key, 42, sealed)
    changed = bytearray(sealed)
    changed[NONCE_BYTES + 5] ^= 1
    with pytest.raises(InvalidTag):
        open_seal(key, 41, bytes(changed))


def test_the_key_is_the_same_for_the_same_moment_in_any_zone_and_a_naive_utc_time():
    beijing = START.astimezone(timezone(timedelta(hours=8)))
    assert exam_key(SIGNING_KEY, 7, beijing) == exam_key(SIGNING_KEY, 7, START) \
        == exam_key(SIGNING_KEY, 7, START.replace(tzinfo=None))
    assert len(exam_key(SIGNING_KEY, 7, START)) == 32
