"""Real-time updates over WebSockets (docs/events.md): ticket authentication, Origin check, consumer."""
