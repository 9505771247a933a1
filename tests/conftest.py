"""Session fixtures shared by test modules (the fleet dataset is scanned once per test session)."""
from fleet_util import scanned  # noqa: F401
