"""The policy layer: every rule more than one place needs, written once.

- `states`: the status enums and the state table of each entity ((state, action) -> next state).
- `capabilities`: the permission behind each capability, and the capability list the API reports.
- `access`: who may take which action on which object (role capability, unit, segregation of
  duties), combined with the state tables into `allowed_actions`, and the same rules as `Q`.
- `rules`: the named rules (`due_for_destruction`, `overdue`, `awaiting_action`), each as a
  check on an object and as a `Q` for querysets.

This package sits at the bottom: it imports Django and `apps.core.errors`, never a domain app.
Models import their status enums from here; services, selectors, tasks, reports, the dashboard,
the permission classes and the serializers' `allowed_actions` ask it instead of re-deriving.
"""
