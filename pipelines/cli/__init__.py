"""Stage 3, the ``dvcq`` command: argument parsing, the frames it prints, the generated docs."""
