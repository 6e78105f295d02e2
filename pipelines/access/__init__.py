"""Accounts, sign-in, scopes and the audit trail (``store``), and what each account may read (``scope``)."""
