"""The argon2id password hasher: pwdlib's, with the hashing done by libsodium.

pwdlib's ``Argon2Hasher`` computes with argon2-cffi, whose bundled C code is
the portable SSE2 one. libsodium (through PyNaCl) picks its AVX2 or AVX-512
code at run time and computes the very same hash: the same PHC string
(``$argon2id$v=19$m=…,t=…,p=1$salt$digest``, a 16-byte salt and a 32-byte
digest), so hashes made by either verify with the other. On this project's
machine one verify at m = 7 MiB, t = 5 takes 6.4–7.9 ms of CPU with libsodium
against 14.5 ms with argon2-cffi (bench/RESULTS.md, change 27): at an exam's
start a login is mostly its argon2.

libsodium computes one lane (p = 1). argon2-cffi stays for the rest:
argon2i and argon2d hashes, and reading a hash's parameters for
``check_needs_rehash``.

Also the list of common passwords that the password policy refuses
(``common_passwords``; its source: quizapp/data/README.md).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import nacl.exceptions
import nacl.pwhash.argon2id
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.base import ensure_bytes, ensure_str, validate_str_or_bytes

ARGON2ID_PREFIX = "$argon2id$"


class SodiumArgon2idHasher(Argon2Hasher):
    """argon2id with one lane: hashed and verified by libsodium."""

    def __init__(self, *, memory_cost: int, time_cost: int) -> None:
        """memory_cost in KiB and time_cost in passes, as for ``Argon2Hasher``."""
        super().__init__(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
        self._opslimit, self._memlimit = time_cost, memory_cost * 1024

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        validate_str_or_bytes(password, "password")
        if salt is not None:                   # libsodium draws its own salt; a given one is argon2-cffi's job
            return super().hash(password, salt=salt)
        return nacl.pwhash.argon2id.str(ensure_bytes(password), opslimit=self._opslimit,
                                        memlimit=self._memlimit).decode("ascii")

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        validate_str_or_bytes(password, "password")
        validate_str_or_bytes(hash, "hash")
        try:
            encoded = ensure_str(hash)
        except UnicodeDecodeError:
            return False
        if not encoded.startswith(ARGON2ID_PREFIX):
            return super().verify(password, hash)
        try:
            return nacl.pwhash.argon2id.verify(encoded.encode("ascii"), ensure_bytes(password))
        except (nacl.exceptions.CryptoError, UnicodeEncodeError):     # a wrong password or a malformed hash
            return False


COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower case (read once per process)."""
    return frozenset(line for line in COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines() if line)
