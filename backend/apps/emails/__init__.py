"""Outgoing e-mail (SPEC §8): each message is sent at most once per dedupe key."""
