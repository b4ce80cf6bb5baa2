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


def test_libsodium_hashes_are_standard_argon2id_that_argon2_cffi_verifies_and_the_reverse():
    from argon2 import PasswordHasher
    same_parameters = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=1)
    ours = accounts.hasher.hash("账号密码-1")
    assert same_parameters.verify(ours, "账号密码-1")
    assert not same_parameters.check_needs_rehash(ours)
    theirs = same_parameters.hash("账号密码-1")
    assert accounts.hasher.verify_and_update("账号密码-1", theirs) == (True, None)
    assert accounts.hasher.verify_and_update("账号密码-2", theirs) == (False, None)


def test_a_hash_with_other_parameters_verifies_and_is_rehashed_with_the_current_ones():
    from argon2 import PasswordHasher, Type
    for old in (PasswordHasher().hash("old-password-1"),                          # argon2-cffi's defaults: 4 lanes
                PasswordHasher(time_cost=2, memory_cost=1024, type=Type.I).hash("old-password-1")):   # argon2i
        valid, new_hash = accounts.hasher.verify_and_update("old-password-1", old)
        assert valid and new_hash.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
        assert accounts.hasher.verify("old-password-1", new_hash)
        assert accounts.hasher.verify_and_update("wrong-password", old) == (False, None)


@pytest.mark.parametrize("stored", ["$argon2id$v=19$m=7168,t=5,p=1$bm90IGEgaGFzaA",
                                    "$argon2id$v=19$m=7168,t=5,p=1$AAAA$BBBB"])
def test_a_malformed_stored_hash_is_a_failed_login_not_an_exception(stored):
    assert accounts.hasher.verify("any-password-1", stored) is False
