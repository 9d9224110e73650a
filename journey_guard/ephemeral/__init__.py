"""The ephemeral account an integration run deploys into, and everything that runs in it: the moto
server (``moto_server``) and moto's boundary fixes (``moto_fixes``), the account (``account``), apply,
re-plan and destroy (``deploy``, ``timeline``), Lambda's pollers (``emulator``), the leak check and
the sweeper (``leaks``, ``sweep``), and the faults a run gets through (``faults``, ``background``).
"""
