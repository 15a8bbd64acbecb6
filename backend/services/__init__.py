"""Use cases: load, call domain code, commit once, enqueue. The only place domains meet."""
