"""Size limits of free text (one place, so models, serializers and docs agree).

A description or reason is a few paragraphs, never megabytes: without a bound one request
could store megabytes twice (the row and its audit event) and bloat every export.
"""

# Descriptions, purposes, notes, comments and reasons.
LONG_TEXT_MAX_LENGTH = 4000
# Passwords and tokens are read, never stored as sent: bounded so hashing stays cheap.
SECRET_MAX_LENGTH = 512
TOKEN_MAX_LENGTH = 2048
# Largest JSON body the API parses (Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds forms).
JSON_BODY_MAX_BYTES = 1024 * 1024
