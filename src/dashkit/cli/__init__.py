"""The ``dashkit`` command. Its subcommands, flags, exit codes and JSON shapes are a stable
interface: scripts depend on them. Exit 0 on success, 1 when something was refused (nothing
written), 2 for a usage error. Messages are in ``--lang`` (else ``$DASHKIT_LANG``, else vi)."""
