"""What a screen reader says for the controls Qt makes itself (a dialog's standard buttons), and
what Enter presses in a dialog."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QPushButton


def describe_standard_buttons(box: QDialogButtonBox) -> None:
    """Give the standard Cancel, Close and OK buttons of ``box`` a spoken description, unless the
    dialog gave one of its own."""
    StandardButton = QDialogButtonBox.StandardButton
    words = {
        StandardButton.Cancel: QCoreApplication.translate(
            "Accessibility", "Closes this window without doing anything (Esc)."
        ),
        StandardButton.Close: QCoreApplication.translate("Accessibility", "Closes this window (Esc)."),
        StandardButton.Ok: QCoreApplication.translate(
            "Accessibility", "Keeps what is entered here and closes this window."
        ),
    }
    for which, description in words.items():
        button = box.button(which)
        if button is not None and not button.accessibleDescription():
            button.setAccessibleDescription(description)


def make_default(button: QPushButton) -> None:
    """Make ``button`` the one Enter presses in its dialog; call it once the button is inside the
    dialog (after the layout is set).

    Made default before it has a dialog, a button cannot tell the dialog so; the dialog then makes
    the first button in the Tab order its default when shown: often Cancel, so that Enter in a
    field would cancel.
    """
    button.setDefault(False)  # setDefault(True) does nothing on a button already marked default
    button.setDefault(True)
