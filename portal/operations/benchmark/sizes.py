"""How much data each benchmark size holds. Large is a national service after some years."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    organisations: int
    referrals_per_organisation: int
    groups_per_organisation: int
    sessions_per_group: int
    bookings_per_group: int
    audit_rows_per_organisation: int

    @property
    def referrals(self) -> int:
        return self.organisations * self.referrals_per_organisation

    @property
    def groups(self) -> int:
        return self.organisations * self.groups_per_organisation

    @property
    def sessions(self) -> int:
        return self.groups * self.sessions_per_group

    @property
    def bookings(self) -> int:
        return self.groups * self.bookings_per_group

    @property
    def audit_rows(self) -> int:
        return self.organisations * self.audit_rows_per_organisation


SIZES = {
    "small": Size("small", 1, 1_000, 25, 20, 100, 10_000),
    "large": Size("large", 50, 4_000, 100, 20, 100, 40_000),
    # For the test suite: the same shapes, a few rows.
    "tiny": Size("tiny", 1, 40, 2, 4, 10, 100),
}
