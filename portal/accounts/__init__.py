"""Staff and referrer accounts: sign-in, two-factor, invitations and session rules."""
