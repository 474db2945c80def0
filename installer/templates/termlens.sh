#!/bin/sh
# TermLens launcher, written by the installer. With no arguments it opens the window;
# `termlens --help` lists the headless commands.
@DATA_LINE@
exec @TERMLENS@ "$@"
