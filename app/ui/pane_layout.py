"""The window's three panes side by side when each has room to be read, else one at a time.

Below the width where the conversation list, the conversation and the reasoning fit side by side,
squeezing them would leave the reasoning a word or two a line: the panes then go under a tab bar
and the reader shows one at a time. The column widths the reader chose are kept for when the
window is wide again, and remembered between sessions by the window.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QTabBar, QVBoxLayout, QWidget

# The narrowest each column is still read comfortably at (logical pixels: the same at 200%).
LIST_WIDTH = 170
CONVERSATION_WIDTH = 340
REASONING_WIDTH = 300
# The widths the columns start at, before the reader moves them.
START_WIDTHS = (240, 640, 460)


class PaneLayout(QWidget):
    """The list, conversation and reasoning columns in a splitter, or one of them under a tab bar.

    Signals:
        side_by_side_changed(bool): True when the columns went side by side, False when they went
            under the tab bar.
    """

    side_by_side_changed = Signal(bool)

    LIST, CONVERSATION, REASONING = range(3)

    def __init__(
        self,
        list_pane: QWidget,
        conversation: QWidget,
        reasoning: QWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("PaneLayout")
        self._columns = (list_pane, conversation, reasoning)
        self._minimums = (LIST_WIDTH, CONVERSATION_WIDTH, REASONING_WIDTH)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("columns")
        for column, minimum in zip(self._columns, self._minimums, strict=True):
            # An explicit minimum, not the contents': an image strip or a long hint appearing in
            # a column must not move the columns.
            column.setMinimumWidth(minimum)
            self.splitter.addWidget(column)
        self.splitter.setChildrenCollapsible(False)
        for index, stretch in enumerate((0, 3, 2)):
            self.splitter.setStretchFactor(index, stretch)
        self.tabs = QTabBar()
        self.tabs.setObjectName("paneTabs")
        self.tabs.addTab(self.tr("Conversations"))
        self.tabs.addTab(self.tr("Conversation"))
        self.tabs.addTab(self.tr("Reasoning"))
        for index, key in enumerate(("Ctrl+1", "Ctrl+2", "Ctrl+3")):
            self.tabs.setTabToolTip(index, self.tr("Show this pane ({key})").format(key=key))
        self.tabs.setAccessibleName(self.tr("Panes"))
        self.tabs.setAccessibleDescription(
            self.tr("The window is too narrow for the panes side by side: choose the one to show.")
        )
        self.tabs.setExpanding(False)
        self.tabs.setCurrentIndex(self.CONVERSATION)
        self.tabs.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.splitter, 1)
        self.side_by_side = True
        self.list_shown = True  # in a column, when the columns are side by side
        self._widths = list(START_WIDTHS)
        self.splitter.setSizes(self._widths)
        self._placed = False  # the widths applied at the window's real size
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

    # -- what the window asks ----------------------------------------------------------------

    def widths(self) -> list[int]:
        """The column widths side by side, as the reader last set them (to remember)."""
        return list(self._widths)

    def set_widths(self, widths: Sequence[int]) -> None:
        """Column widths to use side by side (remembered from an earlier session)."""
        if len(widths) != len(self._columns) or any(width < 0 for width in widths):
            return
        self._widths = [max(width, minimum) for width, minimum in zip(widths, self._minimums, strict=True)]
        if self.side_by_side:
            self._show_columns()

    def columns_width(self) -> int:
        """The narrowest this widget can be with the columns side by side."""
        shown = [minimum for index, minimum in enumerate(self._minimums) if self._in_columns(index)]
        return sum(shown) + self.splitter.handleWidth() * (len(shown) - 1)

    def shown(self, index: int) -> bool:
        """Whether the pane ``index`` (LIST, CONVERSATION or REASONING) is on screen now."""
        if self.side_by_side:
            return self._in_columns(index)
        return self.tabs.currentIndex() == index

    def reveal(self, index: int) -> None:
        """Bring the pane ``index`` on screen: its column back if the list's was hidden, its tab
        when the panes are tabbed (also when showing the list's column made them so)."""
        if self.side_by_side and index == self.LIST and not self.list_shown:
            self.set_list_shown(True)
        if not self.side_by_side:
            self.tabs.setCurrentIndex(index)

    def reveal_widget(self, widget: QWidget) -> None:
        """Bring on screen the pane that holds ``widget``."""
        for index, column in enumerate(self._columns):
            if column is widget or column.isAncestorOf(widget):
                self.reveal(index)
                return

    def set_list_shown(self, shown: bool) -> None:
        """Show or hide the conversation list's column (side by side; tabbed, it keeps its tab)."""
        if shown == self.list_shown:
            return
        self.list_shown = shown
        self._arrange(self.width())
        if self.side_by_side:
            self._show_columns()

    # -- Qt ------------------------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:
        # The window may be as narrow as one pane: the panes go under the tabs before they squeeze.
        height = super().minimumSizeHint().height()
        return QSize(max(self._minimums), height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange(event.size().width())
        super().resizeEvent(event)
        if not self._placed and self.side_by_side and self.isVisible():
            # Widths set before the window had its size were scaled to the default size (a list
            # column squeezed to its minimum at 1280 px and wider): set them again at the real one.
            self._placed = True
            self._show_columns()

    # -- the arrangement -----------------------------------------------------------------------

    def _in_columns(self, index: int) -> bool:
        return index != self.LIST or self.list_shown

    def _arrange(self, width: int) -> None:
        fits = width >= self.columns_width()
        if fits == self.side_by_side:
            return
        if fits:
            self.side_by_side = True
            self.tabs.hide()
            self._show_columns()
        else:
            self.side_by_side = False
            self.tabs.show()
            self._show_tab(self.tabs.currentIndex())
        self.side_by_side_changed.emit(fits)

    def _show_columns(self) -> None:
        for index, column in enumerate(self._columns):
            column.setVisible(self._in_columns(index))
        self.splitter.setSizes(
            [width if self._in_columns(index) else 0 for index, width in enumerate(self._widths)]
        )

    def _show_tab(self, current: int) -> None:
        # The chosen pane is shown before the others are hidden: the splitter is never left empty.
        self._columns[current].setVisible(True)
        for index, column in enumerate(self._columns):
            if index != current:
                column.setVisible(False)
        # Laid out now, at the whole width, not at the next event loop pass.
        self.splitter.setSizes([self.splitter.width() if index == current else 0 for index in range(3)])

    def _keep_widths(self) -> None:
        """Note the widths the reader gave the columns (hidden ones keep their last).

        Only the reader's moves count: a narrower window squeezes the columns for a moment before
        they go under the tabs, and those widths are not the reader's."""
        if not self.side_by_side:
            return
        for index, width in enumerate(self.splitter.sizes()):
            if self._in_columns(index) and width > 0:
                self._widths[index] = width

    def _on_splitter_moved(self, _position: int, _index: int) -> None:
        self._keep_widths()

    def _on_tabs_current_changed(self, index: int) -> None:
        if not self.side_by_side and index >= 0:
            self._show_tab(index)
