"""`python -m repro.execution`: build the toolchain caches and print one line per language (ready or why not)."""

from repro.execution.toolchains import main

main()
