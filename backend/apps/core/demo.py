"""Demo crates and requests for `initial_setup --demo` (filled in with the workflow services)."""


def create_demo_workflows() -> int:
    """Create a handful of demo crates and requests once; return how many were created."""
    return 0
