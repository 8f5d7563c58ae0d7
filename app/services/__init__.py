"""Qt-free orchestration shared by the GUI and the command line."""
