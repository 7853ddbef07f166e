"""The audit trail's HTTP API: list, export and chain verification (read-only).

The ledger itself (`apps.audit`: the model, `record`, the hash chain) sits below every app,
because every service writes to it. Reading it needs roles and unit scoping from
`apps.auth`, which sits above the ledger, so the API lives here, above both.
"""
