@echo off
rem TermLens launcher, written by the installer. No arguments open the window;
rem "termlens --help" lists the headless commands.
@DATA_LINE@
"@TERMLENS@" %*
