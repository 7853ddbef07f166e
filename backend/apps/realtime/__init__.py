"""Real-time updates over WebSockets (SPEC §6): ticket authentication, Origin check, consumer."""
