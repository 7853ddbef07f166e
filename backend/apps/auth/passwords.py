import string

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Password policy (SPEC §5): upper, lower, digit and symbol, on top of Django's length,
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
