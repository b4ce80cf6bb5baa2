"""Passwords are hashed (argon2id at the ASVS minimum) in one thread per
process at a lower CPU priority, so a login surge yields the CPU to the
examinees already answering."""
import os
import sys
import threading

import pytest

from quizapp import accounts


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priorities are a Linux feature")
def test_every_hash_runs_in_one_thread_below_the_callers_priority():
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    first = accounts.hash_password("first-password-1")
    assert accounts.hasher.verify("first-password-1", first) and first.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
    accounts.hash_password("second-password-2")
    (thread,) = accounts._hashing._threads
    assert thread.name.startswith("argon2") and thread.native_id != threading.get_native_id()
    assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == min(19, own + accounts.HASH_NICENESS)
