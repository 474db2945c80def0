"""QObjects on the model thread: engine callbacks become Qt signals. QtCore only."""
