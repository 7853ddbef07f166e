"""The password hasher: Argon2id at OWASP's first recommended setting.

Django's `Argon2PasswordHasher` defaults (RFC 9106's "second recommended option": 64 MiB,
3 passes, 4 lanes, in Django 5.2 grown to 100 MiB, 2 passes, 8 lanes) cost about 250 ms of CPU
per hash on one core of the production server's class. Every sign-in and every e-signature
verifies a password, so on a 2-core node 200 people signing in at 8:55 queue for tens of
seconds. OWASP's Password Storage Cheat Sheet gives five Argon2id settings of equal strength
(the memory-hardness traded against passes); the first, 19 MiB, 2 passes, 1 lane, costs
about 28 ms (measured figures in docs/decisions.md and OPTIMIZATIONS.md). One lane: a node
serving many sign-ins at once gains nothing from spreading one hash over threads.

The algorithm name stays `argon2`, so a hash made with Django's default parameters is still
verified here, and `must_update` (parameters differ) has Django re-hash it with these at the
user's next successful sign-in, as it does a PBKDF2 hash.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
