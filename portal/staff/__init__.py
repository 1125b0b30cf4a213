"""The staff side's shell: dashboard, role-aware navigation, team and invitations."""
