"""Outgoing e-mail (docs/background.md): each message is sent at most once per dedupe key."""
