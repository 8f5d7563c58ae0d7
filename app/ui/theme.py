"""The window's colours: one set of named roles, a light and a dark variant, and which is shown.

Every colour the window draws is a role of ``Theme``; nothing else in ``app/ui`` names a colour.
``PAIRS`` declares each foreground drawn on each background, with the contrast it must keep
(WCAG 2.1 AA: 4.5:1 for text, 3:1 for focus rings and the edges of controls); every role is in
at least one pair, so a colour cannot be added without saying what it is drawn on.

The choice is System, Light or Dark. System follows ``QStyleHints.colorScheme()`` and changes
with it while the app runs. ``theme_manager().changed`` tells views that draw rich text with
the theme's colours to draw themselves again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication

from app.core.states import State
from app.render.colours import RenderColours


class Choice(StrEnum):
    """Which variant the user asked for (kept in the settings, ``AppConfig.theme``)."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True)
class Theme:
    """Every colour the window uses, by role, as ``#rrggbb``."""

    name: str
    dark: bool
    # Surfaces and their text.
    window: str  # the window and dialog background
    text: str  # ordinary text on the window and on ``base``
    muted: str  # captions, hints, the "who" lines of the conversation
    base: str  # text fields, lists, the conversation
    surface: str  # a prompt's shaded block in the conversation, code, the math box
    border: str  # the edge of a field, list, view or button (a control's boundary)
    divider: str  # quiet rules between items and turns (decoration only)
    tooltip: str
    tooltip_text: str
    # Buttons.
    button: str
    button_text: str
    accent: str  # the default action (Send)
    accent_text: str
    accent_focus: str  # the default action while it has the keyboard focus
    disabled: str  # a disabled control's face
    disabled_text: str
    focus: str  # the focus ring
    # Selection and links.
    selection: str
    selection_text: str
    link: str
    # Messages.
    ok: str
    caution: str  # a concern, an answer cut short
    danger: str  # an error, a refusal
    alarm: str  # a broken record: the strongest signal
    alarm_text: str
    warning: str  # a notice or warning box
    warning_text: str
    warning_border: str
    problem: str  # the box that lists what to read before signing
    problem_text: str
    problem_border: str
    # The reasoning pane.
    reasoning: str
    reasoning_text: str
    reasoning_border: str
    # The signatures banner.
    banner: str
    banner_text: str
    banner_muted: str
    banner_border: str
    banner_handle: str  # its scroll bar's handle
    # How a turn ended (see ``STATE_ROLES``).
    state_running: str
    state_completed: str
    state_cut_short: str  # the token limit, or ended by the server
    state_stopped: str
    state_window_closed: str
    state_failed: str
    # Marks inside text.
    escape: str  # a control character shown as its escape
    escape_background: str
    match: str  # a search match
    current_match: str  # the match the review scrolled to
    diverged: str  # where a reproduction differs
    token_a: str  # neighbouring prompt tokens alternate these
    token_b: str
    token_control: str
    token_control_text: str
    token_image: str
    token_image_text: str

    def render_colours(self) -> RenderColours:
        """The colours the shared rich-text renderer draws with, in this theme."""
        return RenderColours(
            escape=self.escape,
            escape_background=self.escape_background,
            math_label=self.muted,
            math_box=self.surface,
        )

    def state(self, state: State) -> str:
        """The colour of a turn that ended in ``state``."""
        return str(getattr(self, STATE_ROLES[state]))


LIGHT = Theme(
    name="light",
    dark=False,
    window="#f6f7f9",
    text="#1f2933",
    muted="#56606d",
    base="#ffffff",
    surface="#eef2f7",
    border="#7d8894",
    divider="#dde3ea",
    tooltip="#1f2933",
    tooltip_text="#f6f7f9",
    button="#ffffff",
    button_text="#1f2933",
    accent="#1f5fa8",
    accent_text="#ffffff",
    accent_focus="#2f6fbf",
    disabled="#d9dfe6",
    disabled_text="#6b7581",
    focus="#0a1f3d",
    selection="#cfe0f5",
    selection_text="#102a43",
    link="#1559a8",
    ok="#2a6f2e",
    caution="#7d4b00",
    danger="#b3261e",
    alarm="#b3261e",
    alarm_text="#ffffff",
    warning="#fff4ce",
    warning_text="#5c4300",
    warning_border="#a8871f",
    problem="#fdecea",
    problem_text="#8c1d18",
    problem_border="#c0645c",
    reasoning="#fffdf7",
    reasoning_text="#3d3a33",
    reasoning_border="#e8dfc9",
    banner="#eef6ee",
    banner_text="#1f2933",
    banner_muted="#3b4a3c",
    banner_border="#5f8f63",
    banner_handle="#5f8f63",
    state_running="#1559a8",
    state_completed="#2a6f2e",
    state_cut_short="#9a4f00",
    state_stopped="#765c00",
    state_window_closed="#6a4c93",
    state_failed="#b3261e",
    escape="#6b5300",
    escape_background="#fbeec5",
    match="#ffe08a",
    current_match="#ffb46b",
    diverged="#fde2e1",
    token_a="#dbe7f5",
    token_b="#f4e6cf",
    token_control="#ffd8a8",
    token_control_text="#6b3500",
    token_image="#d6e4f5",
    token_image_text="#1f4e79",
)

DARK = Theme(
    name="dark",
    dark=True,
    window="#1d2026",
    text="#e6e9ee",
    muted="#a9b2be",
    base="#15171b",
    surface="#262c35",
    border="#7a8594",
    divider="#343a44",
    tooltip="#e6e9ee",
    tooltip_text="#1d2026",
    button="#343a44",
    button_text="#e6e9ee",
    accent="#2f6db5",
    accent_text="#ffffff",
    accent_focus="#245a99",
    disabled="#2b3038",
    disabled_text="#7b8491",
    focus="#a8d1ff",
    selection="#263f5e",
    selection_text="#ffffff",
    link="#8cc4ff",
    ok="#85c98a",
    caution="#ffc470",
    danger="#ff8a80",
    alarm="#ff8a80",
    alarm_text="#2a0604",
    warning="#3a3000",
    warning_text="#ffe28a",
    warning_border="#9c8424",
    problem="#3d1a1a",
    problem_text="#ffb4ab",
    problem_border="#b0564e",
    reasoning="#1f1d18",
    reasoning_text="#e8e2d4",
    reasoning_border="#4a4334",
    banner="#1a2a1c",
    banner_text="#e6e9ee",
    banner_muted="#b8c9ba",
    banner_border="#5f8f63",
    banner_handle="#5f8f63",
    state_running="#8cc4ff",
    state_completed="#85c98a",
    state_cut_short="#ffb070",
    state_stopped="#e6c85c",
    state_window_closed="#c9a8f0",
    state_failed="#ff8a80",
    escape="#ffd666",
    escape_background="#3d3000",
    match="#6b5400",
    current_match="#8f4a00",
    diverged="#4a1f1f",
    token_a="#233650",
    token_b="#3d3220",
    token_control="#5c3400",
    token_control_text="#ffd8a8",
    token_image="#1f3a5c",
    token_image_text="#cfe2ff",
)

THEMES = (LIGHT, DARK)

STATE_ROLES = {
    State.RUNNING: "state_running",
    State.COMPLETED: "state_completed",
    State.TOKEN_LIMIT: "state_cut_short",
    State.STOPPED: "state_stopped",
    State.WINDOW_CLOSED: "state_window_closed",
    State.INTERRUPTED: "state_failed",
    State.FAILED: "state_failed",
    State.ENDED_BY_SERVER: "state_cut_short",
}

# Contrast each pair must keep: text 4.5:1; a focus ring or a control's edge 3:1 (WCAG 1.4.11);
# a disabled control's text 3:1 (WCAG asks nothing of it; it stays legible but looks inactive);
# a decoration 1.2:1 (it must be there, and nothing depends on telling it apart).
TEXT, EDGE, INACTIVE, DECORATION = 4.5, 3.0, 3.0, 1.2


@dataclass(frozen=True)
class Pair:
    """A foreground role drawn on a background role, and the contrast it needs."""

    foreground: str
    background: str
    minimum: float


def _pairs() -> tuple[Pair, ...]:
    text_on: dict[str, tuple[str, ...]] = {
        "window": (
            "text",
            "muted",
            "link",
            "ok",
            "caution",
            "danger",
            "state_running",
            "state_completed",
            "state_cut_short",
            "state_stopped",
            "state_window_closed",
            "state_failed",
        ),
        "base": (
            "text",
            "muted",
            "link",
            "ok",
            "caution",
            "danger",
            "state_running",
            "state_completed",
            "state_cut_short",
            "state_stopped",
            "state_window_closed",
            "state_failed",
        ),
        "surface": ("text", "muted", "link"),
        "button": ("button_text",),
        "accent": ("accent_text",),
        "accent_focus": ("accent_text",),
        "tooltip": ("tooltip_text",),
        "selection": ("selection_text", "muted"),
        "alarm": ("alarm_text",),
        "warning": ("warning_text",),
        "problem": ("problem_text", "text"),
        "reasoning": ("reasoning_text", "text", "muted"),
        "banner": ("banner_text", "banner_muted", "link", "ok", "danger"),
        "escape_background": ("escape",),
        "match": ("text",),
        "current_match": ("text",),
        "diverged": ("text",),
        "token_a": ("text",),
        "token_b": ("text",),
        "token_control": ("token_control_text",),
        "token_image": ("token_image_text",),
    }
    pairs = [Pair(fg, bg, TEXT) for bg, fgs in text_on.items() for fg in fgs]
    pairs += [
        # The focus ring, against what is around it and what it surrounds.
        *(Pair("focus", bg, EDGE) for bg in ("window", "base", "button", "accent_focus", "reasoning")),
        # The edges that show where a control is.
        *(Pair("border", bg, EDGE) for bg in ("window", "base", "button")),
        Pair("accent", "window", EDGE),
        Pair("warning_border", "window", EDGE),
        Pair("problem_border", "base", EDGE),
        Pair("banner_border", "window", EDGE),
        Pair("banner_handle", "banner", EDGE),
        Pair("alarm", "window", EDGE),
        Pair("disabled_text", "disabled", INACTIVE),
        Pair("disabled_text", "window", INACTIVE),
        # Decoration: seen, never relied on.
        Pair("divider", "base", DECORATION),
        Pair("reasoning_border", "window", DECORATION),
        Pair("disabled", "window", DECORATION),
    ]
    return tuple(pairs)


PAIRS = _pairs()


def luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (WCAG 2.1)."""
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def roles() -> tuple[str, ...]:
    """The names of every colour role."""
    return tuple(field.name for field in fields(Theme) if field.name not in ("name", "dark"))


class ThemeManager(QObject):
    """Knows the user's choice and the theme shown, and follows the system's colour scheme.

    Signals:
        changed(object): the ``Theme`` shown changed (views drawing rich text draw again).
    """

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.choice = Choice.SYSTEM
        self.theme = LIGHT
        hints = QGuiApplication.styleHints() if isinstance(parent, QGuiApplication) else None
        if hints is not None:
            hints.colorSchemeChanged.connect(self._on_color_scheme_changed)

    def choose(self, choice: Choice | str) -> Theme:
        """Show the theme ``choice`` asks for (System: the system's); returns it."""
        self.choice = Choice(choice)
        return self._show(self._resolve())

    def _resolve(self, scheme: Qt.ColorScheme | None = None) -> Theme:
        if self.choice is Choice.LIGHT:
            return LIGHT
        if self.choice is Choice.DARK:
            return DARK
        if scheme is None:
            scheme = QGuiApplication.styleHints().colorScheme()
        return DARK if scheme == Qt.ColorScheme.Dark else LIGHT

    def _show(self, theme: Theme) -> Theme:
        if theme != self.theme:
            self.theme = theme
            self.changed.emit(theme)
        return theme

    def _on_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.choice is Choice.SYSTEM:
            self._show(self._resolve(scheme))


_manager: ThemeManager | None = None


def theme_manager() -> ThemeManager:
    """The one manager of the running application."""
    global _manager
    if _manager is None:
        _manager = ThemeManager(QCoreApplication.instance())
    return _manager


def current() -> Theme:
    """The theme shown now (Light until a choice is applied)."""
    return _manager.theme if _manager is not None else LIGHT
