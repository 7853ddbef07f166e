import re
import string

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Password policy (docs/roles.md): upper, lower, digit and symbol, on top of Django's length,
    common-password and similarity validators."""

    CLASSES = (
        (str.isupper, "an uppercase letter"),
        (str.islower, "a lowercase letter"),
        (str.isdigit, "a digit"),
        (lambda c: c in string.punctuation or not c.isalnum(), "a symbol"),
    )

    def validate(self, password: str, user: object = None) -> None:
        missing = [label for test, label in self.CLASSES if not any(test(c) for c in password)]
        if missing:
            raise ValidationError(
                "The password must contain " + ", ".join(missing) + ".", code="password_character_classes"
            )

    def get_help_text(self) -> str:
        return "Your password must contain an uppercase letter, a lowercase letter, a digit and a symbol."


_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
# A common word shorter than this inside a long password is not what makes it guessable.
_MIN_COMMON_WORD = 5


class CommonPasswordVariantValidator(CommonPasswordValidator):
    """Django's list matches whole passwords only, so `Password123!` (the list's `password123`
    with a capital and a symbol) passed. This also rejects a listed password once case,
    symbols and l33t spellings are undone, and a listed word of 5+ letters wrapped in digits
    and symbols (`Qwerty2026!!`), which is how people satisfy character-class rules."""

    def validate(self, password: str, user: object = None) -> None:
        if any(candidate in self.passwords for candidate in _variants(password)):
            raise ValidationError("This password is too common.", code="password_too_common")

    def get_help_text(self) -> str:
        return "Your password can't be a commonly used password, even with capitals, digits or symbols added."


def _variants(password: str) -> set[str]:
    lowered = password.lower().strip()
    alphanumeric = re.sub(r"[^a-z0-9]", "", lowered)
    variants = {lowered, alphanumeric}
    for text in (lowered, lowered.translate(_LEET)):
        core = re.sub(r"^[^a-z]+|[^a-z]+$", "", text)  # the word inside the digits and symbols
        if len(core) >= _MIN_COMMON_WORD:
            variants.add(core)
    return variants
