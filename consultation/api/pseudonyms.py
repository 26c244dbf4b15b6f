"""Pseudonymous codes for the authors of published texts.

Open data names no one: an author is shown as ``A-`` and ten characters derived from
their account id by HMAC-SHA256, keyed with the application's ``SECRET_KEY``. The same
person keeps the same code across every dataset and request, so that readers can see
that two texts share an author, but nobody without the key can go back from a code to
an account or compute the code of a given account.
"""

import hashlib
import hmac

from flask import current_app

PREFIX = "A-"
LENGTH = 10
# Fixed per use, so that a code published here matches no other keyed hash of the same id
# (session signatures, tokens) made with the same secret.
PURPOSE = "consultation.open-data.author.v1"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes get read aloud and copied


def author_code(user_id: int) -> str:
    """The public code of the account ``user_id``: stable while ``SECRET_KEY`` is."""
    key = current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    digest = hmac.new(key, f"{PURPOSE}:{user_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _i in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return PREFIX + "".join(chars)


def code_of(user) -> str | None:
    """The code of a published text's author; None once the account was deleted, because
    deleting an account detaches its texts from the person, and a stable code would still
    tie them together."""
    if user is None or user.is_deleted:
        return None
    return author_code(user.id)
