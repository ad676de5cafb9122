"""Staff accounts: identifiers, passwords, sessions and API keys, the scope of what each
account may see and do (``scope.py``, the only producer of a scope), and the audit log."""
