"""The command line: the same services as the GUI, no Qt."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from app import __version__
from app.core.cancel import CancelToken
from app.core.errors import VeritraceError
from app.core.files import check_folder
from app.core.images import read_image_file
from app.core.report import model_identity_lines
from app.core.signing import fingerprint
from app.core.states import TurnState, state_of, turn_state
from app.core.text import counted, noun, printable, printable_json
from app.core.types import (
    MATCH_END,
    MATCH_START,
    SEED_MAX,
    Conversation,
    ConversationSummary,
    Flag,
    Meaning,
    ReviewState,
    RunSettings,
    SearchHit,
    SessionFilter,
    SignOff,
    Turn,
    TurnStatus,
)
from app.services.anchoring import Authority, configured_authority, pending, read_roots, send_queued
from app.services.chat import ChatService
from app.services.config import (
    load_config,
    resolve_model,
    set_settings_reporter,
)
from app.services.failures import (
    EXIT_STATUS_HELP,
    HANDLED,
    INTERRUPTED,
    PROBLEM_FOUND,
    REFUSED,
    describe_failure,
)
from app.services.instance import WriterLock, first_use
from app.services.logs import configure_logging, log_failure
from app.services.paths import backups_dir, data_dir, database_path
from app.services.record import check_record, open_record
from app.services.signing import installation_key

if TYPE_CHECKING:
    from app.core.remote import RemoteEndpoint
    from app.storage.repository import Store


# SQLite's integers are signed 64-bit: a larger id cannot name a row.
ID_MAX = 2**63 - 1
# Far above any model's context window (the backend stops at the window anyway).
MAX_TOKENS_MAX = 2**20


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors shown safely, and every text argument checked to be UTF-8.

    Undecodable bytes in argv arrive as lone surrogates (PEP 383); the record keeps UTF-8 text,
    so such an argument is refused here, once for every command, naming the option.
    """

    def parse_known_args(  # type: ignore[override]  # typeshed overloads it by namespace type
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        for action in self._actions:
            value = getattr(parsed, action.dest, None)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str | Path):
                    problem = _not_utf8(str(item))
                    if problem:
                        self.error(f"argument {_argument_name(action)}: not valid UTF-8 text ({problem})")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        # One line: the usage is one --help away, and the message may quote hostile argv.
        self.exit(2, f"{self.prog}: error: {printable(message, keep_newlines=False)}\n")


def _not_utf8(text: str) -> str:
    """Where ``text`` stops being encodable as UTF-8, or "" if it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        # surrogateescape stores an undecodable byte 0xXY as U+DCXY.
        what = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"lone surrogate U+{code:04X}"
        return f"{what} at character {error.start + 1}"
    return ""


def _argument_name(action: argparse.Action) -> str:
    if action.option_strings:
        return "/".join(action.option_strings)
    return str(action.metavar or action.dest)


def _whole_number(low: int, high: int, what: str, note: str = "") -> Callable[[str], int]:
    """An argparse type: a decimal whole number from ``low`` to ``high``, else one clear line."""

    def parse(value: str) -> int:
        shown = value if len(value) <= 24 else f"{value[:20]}… ({len(value)} characters)"
        if not (value.isascii() and value.removeprefix("-").isdigit()):
            raise argparse.ArgumentTypeError(f"{shown!r} is not a whole number; {what} are {low} to {high}")
        # Compared before int(): Python refuses to convert strings of over 4,300 digits.
        digits = value.removeprefix("-").lstrip("0")
        number = int(value) if len(digits) <= len(str(high)) else None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{shown} is out of range: {what} are {low} to {high}{note}")
        return number

    parse.__name__ = what  # argparse names the type by it in its own messages
    return parse


_record_id = _whole_number(1, ID_MAX, "ids")
_seed = _whole_number(
    0, SEED_MAX, "seeds", f" (llama.cpp's sampler takes 32 bits and reads {SEED_MAX + 1} as 'random')"
)
_max_tokens = _whole_number(1, MAX_TOKENS_MAX, "token limits")
_positive = _whole_number(1, ID_MAX, "limits")
_threads = _whole_number(1, 1024, "thread counts")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="veritrace",
        description="Auditable reasoning with a local model. Without a command, opens the app.",
        epilog=EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"Veritrace {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", help="run one turn: reasoning to stderr, answer to stdout")
    ask.add_argument("prompt")
    ask.add_argument("--model", help="GGUF file (default: the configured model, else the demo model)")
    ask.add_argument("--conversation", type=_record_id, help="continue this conversation id")
    ask.add_argument(
        "--seed",
        type=_seed,
        help=f"sampling seed, 0 to {SEED_MAX} (llama.cpp's sampler uses 32 bits); default: random, recorded",
    )
    ask.add_argument(
        "--max-tokens", type=_max_tokens, help=f"at most this many tokens, 1 to {MAX_TOKENS_MAX}"
    )
    ask.add_argument("--system", help="system prompt for this turn")
    ask.add_argument(
        "--image", action="append", default=[], metavar="PATH", help="attach an image (repeatable)"
    )
    ask.add_argument("--mmproj", metavar="PATH", help="vision projector GGUF for the model")
    ask.add_argument(
        "--remote",
        metavar="URL",
        help="run on an OpenAI-compatible server (e.g. http://127.0.0.1:8080/v1); its API key, "
        "if any, comes from the system keyring",
    )
    ask.add_argument("--remote-model", metavar="ID", help="the model id on the --remote server")
    reasoning = ask.add_mutually_exclusive_group()
    reasoning.add_argument("--require-reasoning", dest="require_reasoning", action="store_true", default=None)
    reasoning.add_argument("--no-require-reasoning", dest="require_reasoning", action="store_false")

    listing = commands.add_parser("list", help="list conversations")
    listing.add_argument("--json", action="store_true")

    finding = commands.add_parser(
        "search",
        help="find text in titles, prompts, reasoning, answers and notes (one phrase, any case)",
    )
    finding.add_argument("query", help='the text to find ("" lists the conversations the filters accept)')
    finding.add_argument("--json", action="store_true")
    finding.add_argument(
        "--from", dest="date_from", type=_day, metavar="YYYY-MM-DD", help="created on or after"
    )
    finding.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD", help="created on or before")
    finding.add_argument(
        "--model",
        help="a model's SHA-256 (or its first 8+ digits), a remote model's address, or part of its file name",
    )
    finding.add_argument("--state", choices=[str(state) for state in ReviewState], help="review state")
    finding.add_argument("--flagged", action="store_true", help="only conversations with a flagged turn")
    finding.add_argument(
        "--limit", type=_positive, default=100, help="at most this many matches (default 100)"
    )

    verify = commands.add_parser(
        "verify",
        help="check the record: hash chain, every row, key history and signatures, its witness",
    )
    verify.add_argument(
        "--since",
        action="append",
        default=[],
        metavar="REPORT",
        help="also prove the record still contains the head of an earlier report: a PDF or Markdown "
        "report, a JSON bundle (folder or .zip), or a head hash (repeatable)",
    )
    verify.add_argument(
        "--tsa-root",
        metavar="PEM",
        help="check timestamp tokens against this authority root (default: the one in Settings, else "
        "each token's recorded root, and the output says so)",
    )
    checkpoint = commands.add_parser(
        "checkpoint", help="sign the record's current chain head with this installation's key"
    )
    checkpoint.add_argument(
        "--tsa",
        metavar="URL",
        help="also have it timestamped (RFC 3161) by this authority; only the checkpoint's SHA-256 is sent "
        "(default: the authority in Settings, if any); queued if it cannot be reached",
    )
    checkpoint.add_argument(
        "--tsa-root", metavar="PEM", help="the authority's root certificate (default: the one in Settings)"
    )

    key = commands.add_parser("key", help="the installation's signing key and the record's key history")
    key_commands = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_commands.add_parser("show", help="the current key's fingerprint and the record's key history")
    key_commands.add_parser(
        "rotate", help="retire the current key for a new one; the old key signs the change"
    )
    replacing = key_commands.add_parser(
        "replace",
        help="bring in a new key when the current one is lost or damaged (recorded as unsigned by it)",
    )
    replacing.add_argument("--reason", required=True, help="why the old key cannot sign (recorded)")

    restoring = commands.add_parser(
        "restore",
        help="put an older copy of the record in place on purpose, recording what was lost; "
        "without BACKUP, accept the record as it now is",
    )
    restoring.add_argument("backup", nargs="?", type=Path, metavar="BACKUP")
    restoring.add_argument("--reason", required=True, help="why (recorded in the restored record)")

    annotate = commands.add_parser("annotate", help="add a reviewer's note to a turn")
    annotate.add_argument("turn", type=_record_id, metavar="TURN_ID")
    annotate.add_argument("--flag", required=True, choices=[str(flag) for flag in Flag])
    annotate.add_argument("--comment", required=True)
    annotate.add_argument("--name", help="reviewer name (default: the operating-system user)")

    signoff = commands.add_parser(
        "signoff",
        help="sign off a conversation with your own identity's key (it is locked afterwards); "
        "exit status 1 if the signature is refused",
        description="Prints what the signature covers, asks you to type 'sign' (unless --yes), then the "
        "identity's passphrase (three tries when typed). Exit status 0: signed; 1: refused, nothing signed.",
    )
    signoff.add_argument("conversation", type=_record_id, metavar="CONVERSATION_ID")
    signoff.add_argument(
        "--identity",
        required=True,
        metavar="FINGERPRINT",
        help="your identity's fingerprint, or enough of its start (see `identity list`)",
    )
    signoff.add_argument("--meaning", required=True, choices=[str(meaning) for meaning in Meaning])
    signoff.add_argument("--reason", required=True, help="what was checked, or why (recorded and signed)")
    _passphrase_options(signoff)
    signoff.add_argument(
        "--yes",
        action="store_true",
        help="acknowledge the printed summary without typing 'sign' (what a script must pass)",
    )

    identity = commands.add_parser("identity", help="personal signing identities: create, list, revoke")
    identity_commands = identity.add_subparsers(dest="identity_command", metavar="ACTION", required=True)
    creating = identity_commands.add_parser(
        "create",
        help="make your own signing key, kept encrypted with a passphrase only you know, and record it",
    )
    creating.add_argument("--name", required=True, help="your printed name, as signatures show it")
    creating.add_argument("--role", required=True, help="your role, as signatures show it")
    _passphrase_options(creating)
    listing_identities = identity_commands.add_parser("list", help="every identity, revoked ones marked")
    listing_identities.add_argument("--json", action="store_true")
    revoking = identity_commands.add_parser(
        "revoke", help="withdraw an identity: it signs nothing from now on (what it signed stays valid)"
    )
    revoking.add_argument("fingerprint", metavar="FINGERPRINT")
    revoking.add_argument("--reason", required=True, help="why (recorded)")

    export = commands.add_parser(
        "export", help="export conversations as an audit report: PDF, Markdown or a verifiable JSON bundle"
    )
    export.add_argument("ids", nargs="+", type=_record_id, metavar="ID", help="conversation ids")
    export.add_argument(
        "--format",
        choices=["pdf", "md", "json"],
        help="default: from the output name (.pdf, .md; .zip or a folder for json)",
    )
    export.add_argument("-o", "--output", required=True, type=Path, metavar="PATH")
    export.add_argument("--page-size", choices=["a4", "letter"], default="a4")
    export.add_argument("--scope", help="describe the scope on the cover page (default: the conversations)")
    export.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")
    export.add_argument("--json", action="store_true", help="print the result as JSON")

    show = commands.add_parser("show", help="show one conversation with every recorded field")
    show.add_argument("id", type=_record_id, metavar="ID")
    show.add_argument("--json", action="store_true")

    reproducing = commands.add_parser(
        "reproduce",
        help="run a recorded turn again from its recorded token ids and compare the output tokens",
    )
    reproducing.add_argument("turn", type=_record_id, metavar="TURN_ID")
    reproducing.add_argument(
        "--model", type=Path, metavar="PATH", help="the model file, if it moved (its SHA-256 must match)"
    )
    reproducing.add_argument("--mmproj", type=Path, metavar="PATH", help="the vision projector, if it moved")
    reproducing.add_argument(
        "--threads", type=_threads, metavar="N", help="run with N threads instead (reported as a change)"
    )
    reproducing.add_argument(
        "--run-again", action="store_true", help="a server's turn: send its recorded request again"
    )
    reproducing.add_argument("--json", action="store_true", help="print the result as JSON")

    # -- the model library -----------------------------------------------------------------
    models = commands.add_parser("models", help="list the model library with each file's GGUF metadata")
    models.add_argument("--json", action="store_true")
    models.add_argument("--no-hash", action="store_true", help="skip hashing files not hashed before")
    inspecting = commands.add_parser(
        "inspect", help="read a GGUF file's metadata safely (in a limited child process)"
    )
    inspecting.add_argument("path", type=Path, metavar="PATH")
    inspecting.add_argument("--json", action="store_true")
    inspecting.add_argument("--hash", action="store_true", help="also compute the file's SHA-256")
    # -- end of the model library ------------------------------------------------------------
    # -- downloads -------------------------------------------------------------------------
    download = commands.add_parser(
        "download", help="download a model offered by name from the Hugging Face Hub (resumable)"
    )
    download.add_argument("name", metavar="NAME", help="the model, e.g. magistral-small-1.2 (or magistral)")
    download.add_argument(
        "--quant", metavar="Q", help="quantization, e.g. Q4_K_M (the default), Q5_K_M, Q6_K, Q8_0"
    )
    download.add_argument("--mmproj", action="store_true", help="also download the vision projector")
    download.add_argument(
        "--to", type=Path, metavar="DIR", help="folder (default: models/ in the data folder)"
    )
    download.add_argument("--use", action="store_true", help="make it the configured model afterwards")
    # -- end of downloads ------------------------------------------------------------------
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; whatever stops it is one line on stderr and an exit status (``--help`` lists them).

    The traceback of a failure goes to the log file only. Anything not in ``HANDLED`` is a bug and
    keeps its traceback.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return REFUSED
    doing = " ".join(
        part
        for part in (
            args.command,
            getattr(args, "key_command", None),
            getattr(args, "identity_command", None),
        )
        if part
    )
    # A settings file that cannot be used is said once, in one line; its defaults apply.
    set_settings_reporter(lambda line: print(f"veritrace: {printable(line, False)}", file=sys.stderr))
    try:
        with _background_errors_logged():
            configure_logging()
            return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("veritrace: interrupted.", file=sys.stderr)
        return INTERRUPTED
    except HANDLED as error:
        failure = describe_failure(error, doing, named=_paths_given(argv))
        log_failure(f"{doing} failed", error)
        print(f"veritrace: {failure.message}", file=sys.stderr)
        return failure.status


def _paths_given(argv: Sequence[str]) -> list[str]:
    """Every argument that may name a path: values, and the value part of ``--option=value``."""
    given = []
    for argument in argv:
        given.append(argument)
        if argument.startswith("--") and "=" in argument:
            given.append(argument.partition("=")[2])
    return given


@contextmanager
def _background_errors_logged() -> Iterator[None]:
    """A thread that dies (a model hash, a download) leaves its traceback in the log and one line here."""

    def report(failed: threading.ExceptHookArgs) -> None:
        if failed.exc_value is None or isinstance(failed.exc_value, SystemExit):
            return
        log_failure(f"thread {failed.thread.name if failed.thread else '?'} failed", failed.exc_value)
        failure = describe_failure(failed.exc_value, "a background task")
        print(f"veritrace: {failure.message}", file=sys.stderr)

    previous, threading.excepthook = threading.excepthook, report
    try:
        yield
    finally:
        threading.excepthook = previous


def _open_store() -> Store:
    """Open the record to read; if no other process is writing, close turns a dead process left running."""
    store = open_record(database_path(), key=None)
    try:
        _tell_interrupted(store, WriterLock(data_dir()).when_alone(store.mark_interrupted))
    except BaseException:
        store.close()
        raise
    return store


def _tell_interrupted(store: Store, turn_ids: list[int] | None) -> None:
    """Say on stderr which turns the app's last stop cut off (just marked interrupted), if any."""
    from app.services.recovery import interrupted_message

    words = interrupted_message(store, turn_ids or [])
    if words:
        _say(f"veritrace: {words}", file=sys.stderr, one_line=True)


def _say(text: str, *, file: TextIO | None = None, one_line: bool = False) -> None:
    """Print a line that may quote a record, a model or a file: its terminal controls shown, never obeyed.

    ``one_line`` for rows of a listing: a line break in a title is shown as ``\\x0a`` too.
    Escape a whole line once: an escaped text escaped again no longer reads as what was recorded.
    """
    print(printable(text, keep_newlines=not one_line), file=file if file is not None else sys.stdout)


class _ConsoleSink:
    """Streams a turn to the terminal, each piece escaped as it arrives (``show --json`` is exact)."""

    def __init__(self, reasoning: TextIO, answer: TextIO) -> None:
        self._reasoning, self._answer = reasoning, answer
        self._mid_line: dict[int, TextIO] = {}  # the streams whose last piece did not end its line

    def turn_started(self, turn: Turn) -> None:
        pass

    def reasoning(self, text: str) -> None:
        self._reasoning.write(printable(text, more_follows=True))
        self._reasoning.flush()
        self._left(self._reasoning, text)

    def answer(self, text: str) -> None:
        self._answer.write(printable(text, more_follows=True))
        self._answer.flush()
        self._left(self._answer, text)

    def _left(self, stream: TextIO, text: str) -> None:
        if text.endswith("\n"):
            self._mid_line.pop(id(stream), None)
        elif text:
            self._mid_line[id(stream)] = stream

    def end_lines(self) -> None:
        """End the lines a stopped turn left open: a failure's one line then stands on its own."""
        for stream in self._mid_line.values():
            stream.write("\n")
            stream.flush()
        self._mid_line.clear()

    def progress(self, completion_tokens: int, tokens_per_second: float) -> None:
        pass


def _remote_endpoint(args: argparse.Namespace) -> RemoteEndpoint | None:
    """The server named by --remote/--remote-model, with its key from the keyring."""
    from app.core.remote import RemoteEndpoint
    from app.services.remote import api_key

    if not args.remote:
        if args.remote_model:
            raise VeritraceError("--remote-model needs --remote URL: the server to ask.")
        return None
    if not args.remote_model:
        from app.services.remote import MAGISTRAL_MODELS, is_magistral_on_mistral

        offer = (
            f" (Mistral's API offers Magistral as {' or '.join(MAGISTRAL_MODELS)})"
            if is_magistral_on_mistral(args.remote, "magistral")
            else ""
        )
        raise VeritraceError(f"--remote needs --remote-model ID: the model to ask on that server{offer}.")
    return RemoteEndpoint(args.remote, args.remote_model, api_key(args.remote))


def _asked(settings: RunSettings, args: argparse.Namespace) -> RunSettings:
    """``settings`` with what ``ask`` was told on its command line."""
    params = settings.params
    if args.seed is not None:
        params = replace(params, seed=args.seed)
    if args.max_tokens is not None:
        params = replace(params, max_tokens=args.max_tokens)
    settings = replace(settings, params=params)
    if args.system is not None:
        settings = replace(settings, system_prompt=args.system)
    if args.require_reasoning is not None:
        settings = replace(settings, require_reasoning=args.require_reasoning)
    return settings


def _ask(args: argparse.Namespace) -> int:
    from app.runtime.llama_backend import LlamaBackend
    from app.services.phases import Phase
    from app.services.session import Session, StatusText

    config = load_config()
    remote = _remote_endpoint(args)
    choice = None if remote else resolve_model(config, args.model)
    if choice is not None and args.model:
        _describe(choice.path)  # a model named now is inspected (safely) before the record is opened
    images = [read_image_file(Path(path)) for path in args.image]
    with WriterLock(data_dir()) as writers:
        authority = _authority()
        with first_use(data_dir()):
            store = open_record(database_path(), backups=backups_dir(), authority=authority)
        # Only with no other writer alive: a turn another process is generating is not orphaned.
        _tell_interrupted(store, writers.when_alone(store.mark_interrupted))
        session: Session | None = None

        def told(event: object) -> None:
            # What a turn waits for on a server (a rate limit's countdown) is said on stderr.
            if isinstance(event, StatusText) and session is not None and session.phase is Phase.GENERATING:
                _say(f"veritrace: {event.text}", file=sys.stderr)

        try:
            if args.conversation is not None:  # before a model is loaded (and recorded) for nothing
                store.refuse_unless_open(args.conversation)
            session = Session(store, LlamaBackend(), config, listener=told, signer=installation_key())
            if remote is not None:
                model = session.use_remote(remote).result()
            else:
                assert choice is not None
                projector = Path(args.mmproj) if args.mmproj else True
                model = session.load(choice, chosen=bool(args.model), projector=projector).result()
            # Magistral on Mistral's API runs with the Magistral preset; what was asked here stays.
            settings = _asked(session.settings(), args)
            if images and not model.loaded.has_vision:
                _say(
                    f"veritrace: {choice.path.name if choice else model.loaded.name} has no vision projector "
                    "(--mmproj): the images are "
                    "recorded but the model will not see them.",
                    file=sys.stderr,
                )
            cancel = session.cancel_token
            previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
            sink = _ConsoleSink(sys.stderr, sys.stdout)
            try:
                turn = session.send(
                    args.conversation, args.prompt, images, settings=settings, sink=sink
                ).result()
            except BaseException:
                sink.end_lines()
                raise
            finally:
                signal.signal(signal.SIGINT, previous)
            problem = _settle_model_hash(session.chat)
            turn = store.turn(turn.id)
            if authority is not None and pending(store):
                _say(f"veritrace: timestamps: {send_queued(store, authority).describe()}", file=sys.stderr)
        finally:
            if session is not None:
                session.close()
            store.close()
    sys.stdout.write("\n")
    if turn.reasoning and not turn.reasoning.endswith("\n"):
        sys.stderr.write("\n")
    ended = printable(turn_state(turn).words, keep_newlines=False)
    print(
        f"[turn {turn.id} in conversation {turn.conversation_id}: {ended}, "
        f"{counted(turn.completion_tokens, 'token')}]",
        file=sys.stderr,
    )
    if turn.status == TurnStatus.FAILED:
        _say(f"veritrace: {turn.error}", file=sys.stderr)
        return 1
    if problem:
        _say(f"veritrace: {problem}", file=sys.stderr)
        return 1
    return 0 if turn.status == TurnStatus.COMPLETED else 130


def _settle_model_hash(service: ChatService) -> str:
    """Wait for the loaded files' full hash so the turn is settled; return a problem found, if any.

    Ctrl-C stops waiting: the turn then keeps the hash it began with, marked as not verified.
    """
    check = service.model.check if service.model is not None else None
    if check is None:
        return ""
    if not check.hashed():
        done, total = check.progress()
        print(
            f"veritrace: verifying the model's SHA-256 ({done / 1e9:.1f} of {total / 1e9:.1f} GB read; "
            "Ctrl-C leaves the turn marked as not verified)…",
            file=sys.stderr,
        )
        try:
            check.wait()
        except KeyboardInterrupt:
            print("veritrace: the model's hash was not finished; the turn says so.", file=sys.stderr)
    service.settle()
    return check.problem()


def _list(args: argparse.Namespace) -> int:
    store = _open_store()
    try:
        conversations = store.list_conversations()
    finally:
        store.close()
    if args.json:
        _dump(
            [
                {
                    "id": c.id,
                    "title": c.title,
                    "created_at": c.created_at,
                    "turn_count": c.turn_count,
                    "last_status": str(c.last_status) if c.last_status else None,
                    "last_state": _last_state_json(c),
                }
                for c in conversations
            ]
        )
    else:
        for c in conversations:
            last = _last_state(c)
            ended = f"  [last turn {last.words}]" if last else ""
            turns = noun(c.turn_count, "turn")
            _say(f"{c.id:>6}  {c.created_at}  {c.turn_count:>3} {turns:<5}  {c.title}{ended}", one_line=True)
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-01-31") from None


def _search(args: argparse.Namespace) -> int:
    chosen = SessionFilter(
        date_from=args.date_from,
        date_to=args.date_to,
        model=args.model,
        review_state=ReviewState(args.state) if args.state else None,
        flagged_only=args.flagged,
        text=args.query,
    )
    store = _open_store()
    try:
        conversations = store.browse(chosen)
        hits = store.search(args.query, chosen, args.limit) if args.query.strip() else []
    finally:
        store.close()
    if args.json:
        _dump(
            {
                "query": args.query,
                "conversations": [_summary_json(c) for c in conversations],
                "hits": [hit.to_json() for hit in hits],
                "hits_truncated": len(hits) >= args.limit,
            }
        )
        return 0
    shown = f"{len(conversations)} conversation{'' if len(conversations) == 1 else 's'}"
    if args.query.strip():
        more = "+" if len(hits) >= args.limit else ""
        shown += f", {len(hits)}{more} match{'' if len(hits) == 1 else 'es'}"
    print(shown)
    by_conversation: dict[int, list[SearchHit]] = {}
    for hit in hits:
        by_conversation.setdefault(hit.conversation_id, []).append(hit)
    start, end = ("\x1b[1;7m", "\x1b[0m") if sys.stdout.isatty() else ("«", "»")
    for c in conversations:
        review = f"{c.review_state}{' ⚑' if c.flagged else ''}"
        _say(f"{c.id:>6}  {c.created_at[:16].replace('T', ' ')}  {c.title}  [{review}]", one_line=True)
        for hit in by_conversation.get(c.id, []):
            where = "title" if hit.turn_index is None else f"turn {hit.turn_index + 1} {hit.field}"
            # Escaped before the highlight goes in: the highlight is the only control let through.
            line = printable(f"        {where}: {hit.snippet}", keep_newlines=False)
            print(line.replace(MATCH_START, start).replace(MATCH_END, end))
    if len(hits) >= args.limit:
        print(f"(the first {args.limit} matches; --limit shows more)")
    return 0


def _last_state(c: ConversationSummary) -> TurnState | None:
    """How the conversation's last turn ended (None: it has none)."""
    if c.last_status is None:
        return None
    return state_of(c.last_status, c.last_finish_reason, c.last_error)


def _last_state_json(c: ConversationSummary) -> dict[str, str] | None:
    last = _last_state(c)
    return last.to_json() if last else None


def _summary_json(c: ConversationSummary) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "created_at": c.created_at,
        "turn_count": c.turn_count,
        "last_status": str(c.last_status) if c.last_status else None,
        "last_state": _last_state_json(c),
        "review_state": str(c.review_state),
        "flagged": c.flagged,
        "has_images": c.has_images,
        # A remote model has no file hash: null, never its address's synthetic "remote:" value.
        "models": [
            {
                "path": m.path,
                "size": m.size,
                "sha256": None if m.is_remote else m.sha256,
                "remote": m.is_remote,
            }
            for m in c.models
        ],
        "last_activity": c.last_activity,
    }


def _show(args: argparse.Namespace) -> int:
    store = _open_store()
    try:
        conversation = store.conversation(args.id)
    finally:
        store.close()
    if args.json:
        _dump(_with_states(conversation))
        return 0
    _say(
        f"# {conversation.title}  (conversation {conversation.id}, {conversation.created_at})",
        one_line=True,
    )
    for turn in conversation.turns:
        print()
        # A failure's reason may hold line breaks: the heading stays one line.
        _say(f"## Turn {turn.index + 1} [{turn_state(turn).words}] {turn.started_at}", one_line=True)
        for line in model_identity_lines(turn):
            _say(line, one_line=True)
        _say(f"Prompt: {turn.prompt}")
        if turn.reasoning:
            _say(f"Reasoning: {turn.reasoning}")
        _say(f"Answer: {turn.answer}")
    return 0


def _with_states(conversation: Conversation) -> dict[str, Any]:
    """The conversation as JSON, each turn's state in words right after its status and finish
    reason (``app.core.states``: how the window and every report say it ended)."""
    data = conversation.to_json()
    data["turns"] = [
        _with_state(shown, turn) for shown, turn in zip(data["turns"], conversation.turns, strict=True)
    ]
    return data


def _with_state(shown: dict[str, Any], turn: Turn) -> dict[str, Any]:
    placed: dict[str, Any] = {}
    for key, value in shown.items():
        placed[key] = value
        if key == "finish_reason":
            placed["state"] = turn_state(turn).to_json()
    return placed


def _authority(url: str | None = None, root: str | None = None) -> Authority | None:
    """The timestamp authority named here (``--tsa``/``--tsa-root``), else in Settings, if any."""
    config = load_config()
    return configured_authority(url or config.tsa_url, root or config.tsa_root)


@contextmanager
def _writing(authority: Authority | None = None, *, alone: str = "") -> Iterator[Store]:
    """The record opened for writing, beside any other writers (SQLite takes turns between them).

    ``alone`` names a change that replaces files every writer uses (a key change): it needs the
    record to itself. Checkpoints made meanwhile are queued for the timestamp authority and sent
    at the end.
    """
    authority = authority or _authority()
    writers = WriterLock(data_dir())
    with writers.alone(alone) if alone else writers:
        with first_use(data_dir()):
            store = open_record(database_path(), backups=backups_dir(), authority=authority)
        try:
            yield store
            if authority is not None and pending(store):
                _say(f"veritrace: timestamps: {send_queued(store, authority).describe()}", file=sys.stderr)
        finally:
            store.close()


def _annotate(args: argparse.Namespace) -> int:
    with _writing() as store:
        note = store.annotate(args.turn, Flag(args.flag), args.comment, args.name or store.os_user)
        # A note is evidence too: signed at once, so its witness outside the record covers it.
        store.checkpoint(installation_key(), f"annotation {note.id}")
    _say(
        f"Annotation {note.id} on turn {note.turn_id}: {note.flag} by {note.author} at {note.created_at}",
        one_line=True,
    )
    return 0


# -- personal signatures -------------------------------------------------------------------

MAX_PASSPHRASE_BYTES = 4096


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    given = parser.add_mutually_exclusive_group()
    given.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="PATH",
        help="read the passphrase from this file (its first line); default: asked on the terminal",
    )
    given.add_argument(
        "--passphrase-stdin", action="store_true", help="read the passphrase from standard input (one line)"
    )


def _passphrase_given(args: argparse.Namespace) -> str | None:
    """The passphrase from --passphrase-file or --passphrase-stdin; None if it is to be typed."""
    if args.passphrase_file is not None:
        data = _read_bounded_text(args.passphrase_file)
    elif args.passphrase_stdin:
        try:
            data = sys.stdin.readline(MAX_PASSPHRASE_BYTES + 1)
        except (OSError, ValueError) as error:  # closed, or not readable here
            raise VeritraceError(f"The passphrase could not be read from standard input ({error}).") from None
    else:
        return None
    if len(data) > MAX_PASSPHRASE_BYTES:
        raise VeritraceError(f"A passphrase has at most {MAX_PASSPHRASE_BYTES} characters.")
    phrase = data.splitlines()[0] if data.splitlines() else ""
    if not phrase:
        raise VeritraceError("The passphrase given is empty.")
    return phrase


def _read_bounded_text(path: Path) -> str:
    from app.core.files import NotAFileError, TooLargeError, read_bounded

    try:
        return read_bounded(path.expanduser(), MAX_PASSPHRASE_BYTES).decode("utf-8")
    except NotAFileError as error:
        raise VeritraceError(f"{path} is {error.kind}, not a file holding a passphrase.") from None
    except TooLargeError:
        raise VeritraceError(f"{path} is far larger than a passphrase.") from None
    except UnicodeDecodeError:
        raise VeritraceError(f"{path} is not UTF-8 text.") from None


def _typed(prompt: str) -> str:
    """What the user types at ``prompt``, not shown; refused without a terminal to type on."""
    import getpass

    if not sys.stdin.isatty():
        raise VeritraceError(
            "There is no terminal to type the passphrase on: give --passphrase-file PATH or "
            "--passphrase-stdin."
        )
    return getpass.getpass(prompt)


def _identity(args: argparse.Namespace) -> int:
    from app.services.identities import (
        check_passphrase,
        create_identity,
        identities,
        key_path,
        revoke_identity,
    )

    if args.identity_command == "list":
        store = _open_store()
        try:
            found = identities(store)
        finally:
            store.close()
        if args.json:
            _dump([identity.to_json() for identity in found])
            return 0
        if not found:
            print("No signing identity yet: `veritrace identity create --name NAME --role ROLE` makes yours.")
        for identity in found:
            revoked = (
                f"  REVOKED {identity.revoked_at}: {identity.revoked_reason}" if identity.revoked else ""
            )
            _say(
                f"{identity.fingerprint}  {identity.name} ({identity.role or 'no role'})  "
                f"OS user {identity.os_user}  created {identity.created_at}{revoked}",
                one_line=True,
            )
        return 0
    if args.identity_command == "revoke":
        with _writing() as store:
            gone = revoke_identity(store, args.fingerprint, args.reason)
        _say(
            f"Identity {gone.fingerprint} ({gone.name}) revoked at {gone.revoked_at}: it can no "
            "longer sign; what it signed stays valid.",
            one_line=True,
        )
        return 0
    passphrase = _passphrase_given(args)
    if passphrase is None:
        passphrase = _typed("Choose a passphrase for your new signing key: ")
        check_passphrase(passphrase)
        if _typed("Type it again: ") != passphrase:
            raise VeritraceError("The two passphrases differ; nothing was recorded.")
    check_passphrase(passphrase)
    with _writing() as store:
        made = create_identity(store, args.name, args.role, passphrase)
    _say(
        f"Identity {made.fingerprint} created for {made.name} ({made.role or 'no role'}); its key is kept "
        f"encrypted in {key_path(made)}. Keep the passphrase: nobody can recover it.",
        one_line=True,
    )
    return 0


def _signoff(args: argparse.Namespace) -> int:
    """Sign as one's own identity: 0 signed; a refused signature is one line on stderr and 1.

    A record that cannot be used, or a passphrase file that cannot be read, is said as any
    command says it (2, or 3 where the system refused).
    """
    given = _passphrase_given(args)
    with _writing() as store:
        try:
            signed = _sign(store, args, given)
        except VeritraceError as error:
            failure = describe_failure(error, "signoff")
            if failure.status != REFUSED:
                raise  # the system refused (a full disk): said as any other command says it
            log_failure("signoff refused", error)
            print(f"veritrace: {failure.message}", file=sys.stderr)
            return PROBLEM_FOUND
    _say(
        f"Conversation {signed.conversation_id} {signed.meaning} by {signed.printed_name} "
        f"({signed.role or 'no role'}, key {signed.fingerprint}) at {signed.signed_at} over ledger head "
        f"{signed.ledger_head}; it is now locked."
    )
    return 0


def _sign(store: Store, args: argparse.Namespace, given: str | None) -> SignOff:
    """The summary printed, acknowledged, then the passphrase (typed: up to three tries)."""
    from app.services.signing import WrongPassphraseError
    from app.services.signoff import SigningAttempt, signoff_summary

    if not args.reason.strip():
        raise VeritraceError("A signature needs a reason: say what was checked, or why. Nothing was signed.")
    summary = signoff_summary(store, args.conversation)
    attempt = SigningAttempt(
        store,
        args.conversation,
        fingerprint=args.identity,
        meaning=args.meaning,
        reason=args.reason,
        acknowledged=summary,
    )
    identity = attempt.check()
    for line in summary.lines():
        _say(line)
    _say(
        f"You sign as {identity.name} ({identity.role or 'no role'}), key {identity.fingerprint}: "
        f"{attempt.meaning}, stating “{attempt.statement}” Reason: {args.reason.strip()}"
    )
    if not args.yes:
        if not sys.stdin.isatty():
            raise VeritraceError("Not signed: without a terminal, pass --yes to acknowledge the summary.")
        if input("Type 'sign' to sign: ").strip() != "sign":
            raise VeritraceError("Not signed: 'sign' was not typed.")
    while True:  # the attempt ends itself: its last wrong passphrase raises TooManyTries
        phrase = given if given is not None else _typed(f"Passphrase of {identity.fingerprint}: ")
        try:
            return attempt.sign(phrase)
        except WrongPassphraseError as error:
            if given is not None:
                raise VeritraceError(
                    f"The passphrase given does not open the key of identity {identity.fingerprint}; "
                    "nothing was signed."
                ) from error
            _say(f"veritrace: {error}", file=sys.stderr, one_line=True)


def _reproduce(args: argparse.Namespace) -> int:
    from app.services.reproduce import Outcome, Overrides, reproduce

    overrides = Overrides(
        model=args.model, projector=args.mmproj, threads=args.threads, run_again=args.run_again
    )
    with _writing() as store:
        cancel = CancelToken()
        previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
        try:
            result = reproduce(
                store,
                args.turn,
                overrides,
                cancel=cancel,
                on_status=lambda text: _say(f"veritrace: {text}", file=sys.stderr, one_line=True),
            )
        finally:
            signal.signal(signal.SIGINT, previous)
        store.checkpoint(installation_key(), f"reproduction of turn {args.turn}")
    if args.json:
        _dump(result.to_json())
    else:
        _say(f"Turn {result.turn_id}: {result.summary}")
        differs = result.now_text and result.now_text != result.recorded_text
        if result.outcome is Outcome.DIVERGES or differs:
            _say(f"\nRecorded:\n{result.recorded_text}\n\nNow:\n{result.now_text}")
    if result.outcome is Outcome.STOPPED:
        return INTERRUPTED
    # A divergence, or a model file that is not the recorded one, is a problem found (recorded).
    return 0 if result.outcome in (Outcome.IDENTICAL, Outcome.NOT_EXACT) and result.diverges_at is None else 1


def _checkpoint(args: argparse.Namespace) -> int:
    authority = _authority(args.tsa, args.tsa_root) if args.tsa else None
    with _writing(authority) as store:
        made = store.checkpoint(installation_key(), "on demand")
    print(
        f"Checkpoint {made.id}: {counted(made.entry_count, 'entry', 'entries')}, head {made.head_hash}, "
        f"signed at {made.at} "
        f"by key {fingerprint(made.public_key)}"
    )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from app.services.since import check_since

    # Opened without the witness check: verify reports a failed witness instead of refusing.
    root = args.tsa_root or load_config().tsa_root
    store = open_record(database_path(), key=None, check_witness=False)
    try:
        result = check_record(store, tsa_roots=tuple(_roots(root)) if root else ())
        earlier = [check_since(store, argument, result.verification) for argument in args.since]
    finally:
        store.close()
    intact = result.intact and all(found.intact for found in earlier)
    stream = sys.stdout if intact else sys.stderr
    for line in [*result.lines(), *(line for found in earlier for line in found.lines())]:
        _say(line, file=stream)
    return 0 if intact else 1


def _roots(path: str) -> list[bytes]:
    return read_roots(Path(path).expanduser())


def _key(args: argparse.Namespace) -> int:
    from app.services.signing import new_installation_key

    if args.key_command == "show":
        store = open_record(database_path(), key=None)
        try:
            verification = store.verify()
        finally:
            store.close()
        if not verification.keys:
            print("No signing key is enrolled in this record yet.")
        for key in verification.keys:
            _say(f"{key.describe()}{'' if key.retired_at else ', current'} ({key.at})")
        return 0 if verification.intact else 1
    with _writing(alone=f"key {args.key_command}") as store:
        # Refused before a new key file is written: a refusal leaves the installation's key as it was.
        if args.key_command == "replace" and not args.reason.strip():
            raise VeritraceError("Replacing the signing key without the old one needs a reason.")
        if store.current_key() is None:
            raise VeritraceError(
                f"This record has no signing key yet: there is nothing to {args.key_command}."
            )
        # The new key is written beside the old one and put in its place only once the record
        # holds the change: a change that fails leaves the installation with the key it had.
        with new_installation_key() as new:
            if args.key_command == "rotate":
                old = installation_key()
                made = store.rotate_key(old, new.pair)
                change = f"Key {fingerprint(old.public_hex)} retired; "
            else:
                made = store.replace_key(new.pair, args.reason)
                change = "Key replaced WITHOUT the old key's signature (recorded as such); "
            new.install()
    print(f"{change}{fingerprint(made.public_key)} is the current key (checkpoint {made.id}).")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from app.services.record import restore_record

    with WriterLock(data_dir()).alone("restore"):
        restored = restore_record(
            database_path(), backup=args.backup, reason=args.reason, backups=backups_dir()
        )
    _say(restored.describe())
    return 0


def _export(args: argparse.Namespace) -> int:
    from app.services.exporting import export

    output: Path = args.output
    suffix = output.suffix.lower()
    chosen = args.format or {".pdf": "pdf", ".md": "md", ".zip": "json", "": "json"}.get(suffix)
    if chosen is None:
        raise VeritraceError(f"Cannot tell the format from {output.name!r}: add --format pdf, md or json.")
    authority = _authority()
    with _writing(authority) as store:
        result = export(
            store,
            installation_key(),
            args.ids,
            output,
            format=chosen,
            scope=args.scope,
            page_size=args.page_size,
            overwrite=args.overwrite,
            authority=authority,
        )
    if args.json:
        _dump(
            {
                "timestamped": result.timestamped,
                "report_id": result.report_id,
                "format": result.format,
                "path": str(result.path),
                "sha256": result.sha256,
                "bytes": result.size,
            }
        )
    else:
        _say(
            f"Report {result.report_id} written to {result.path} "
            f"({result.size} bytes, SHA-256 {result.sha256})"
        )
    return 0


# -- the model library ---------------------------------------------------------------------


def _models(args: argparse.Namespace) -> int:
    from app.services.models import known_models

    store = None if args.no_hash else _open_store()
    try:
        entries = known_models(load_config(), store=store, with_hash=not args.no_hash)
    finally:
        if store is not None:
            store.close()
    if args.json:
        _dump([_entry_json(entry) for entry in entries])
        return 0
    for entry in entries:
        if entry.info is None:
            _say(f"{entry.path}\n    unusable: {entry.error}")
            continue
        demo = "  (demo)" if entry.is_demo else ""
        _say(f"{entry.info.path}{demo}\n    {_info_line(entry.info, entry.family)}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from app.core.models import ModelEntry, family_for
    from app.services.models import describe

    path: Path = args.path.expanduser()
    info = describe(path, with_hash=args.hash)
    entry = ModelEntry(path=info.path, info=info, family=family_for(info))
    if args.json:
        _dump(_entry_json(entry)["info"] | {"family": str(entry.family)})
        return 0
    _say(f"{info.path}\n    {_info_line(info, entry.family)}")
    return 0


def _describe(path: Path) -> Any:
    from app.services.models import describe

    return describe(path)


def _entry_json(entry: Any) -> dict[str, Any]:
    from app.core.models import memory_estimate

    data: dict[str, Any] = entry.to_json()
    info = entry.info
    if info is not None and not info.is_projector and info.context_length:
        estimate = memory_estimate(info, info.context_length)
        data["info"]["memory_at_trained_context"] = {
            "n_ctx": info.context_length,
            "weights": estimate.weights,
            "kv_cache": estimate.kv_cache,
            "compute": estimate.compute,
            "total": estimate.total,
        }
    return data


def _info_line(info: Any, family: Any) -> str:
    from app.core.models import parameter_label

    kind = "vision projector" if info.is_projector else family.label
    parts = [
        info.name,
        info.architecture,
        f"{parameter_label(info.parameter_count)} parameters",
        info.quantization or "unknown quantization",
        f"trained context {info.context_length:,}" if info.context_length else "no context length",
        "chat template" if info.has_chat_template else "no chat template",
        kind,
        f"{info.size / 1e9:.2f} GB",
    ]
    if info.projector:
        parts.append(f"projector {info.projector}")
    if info.sha256:
        parts.append(f"SHA-256 {info.sha256}")
    return " · ".join(parts)


# -- end of the model library ---------------------------------------------------------------


def _dump(data: Any) -> None:
    sys.stdout.write(printable_json(data))
    sys.stdout.write("\n")


# -- downloads -----------------------------------------------------------------------------


def _download(args: argparse.Namespace) -> int:
    from app.core.catalogue import offering
    from app.services.config import save_config, with_model
    from app.services.downloads import (
        Download,
        DownloadResult,
        Outcome,
        default_folder,
        remember_download,
    )

    chosen = offering(args.name)
    files = [chosen.quantization(args.quant or chosen.default_quant).file]
    if args.mmproj:
        if chosen.projector is None:
            raise VeritraceError(f"{chosen.title} has no vision projector to download.")
        files.append(chosen.projector)
    folder: Path = args.to.expanduser() if args.to else default_folder()
    # Checked first, so a folder that cannot be one is named as given, before anything is fetched.
    check_folder(folder)
    results: list[DownloadResult] = []
    running: list[Download] = []
    # Ctrl+C pauses: the partial file stays, and the same command continues it.
    previous = signal.signal(signal.SIGINT, lambda *_: running[-1].pause() if running else None)
    try:
        for file in files:
            running.append(Download(file, folder))
            result = running[-1].run(_ProgressPrinter(sys.stderr))
            if result.outcome is not Outcome.COMPLETED:
                _say(
                    f"\nveritrace: paused; {result.path} is kept. Run the same command again to continue.",
                    file=sys.stderr,
                )
                return 130
            results.append(result)
            _say(f"\n{result.path.name}: SHA-256 {result.sha256} verified.", file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, previous)
    model = results[0].path
    config = remember_download(load_config(), model, results[1].path if len(results) > 1 else None)
    if args.use:
        config = with_model(config, str(model))
    save_config(config)
    for result in results:
        _say(str(result.path))
    return 0


class _ProgressPrinter:
    """One rewritten line on a terminal; otherwise a line every tenth of the file."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last: tuple[str, int] | None = None

    def __call__(self, progress: Any) -> None:
        from app.services.downloads import describe_progress

        if self._tty:
            self._stream.write("\r\x1b[2K" + describe_progress(progress))
            self._stream.flush()
            return
        step = (str(progress.stage), progress.done * 10 // max(progress.total, 1))
        if step != self._last:
            self._last = step
            print(describe_progress(progress), file=self._stream, flush=True)


# -- end of downloads -----------------------------------------------------------------------


_COMMANDS = {
    "ask": _ask,
    "list": _list,
    "search": _search,
    "show": _show,
    "reproduce": _reproduce,
    "verify": _verify,
    "annotate": _annotate,
    "signoff": _signoff,
    "identity": _identity,
    "checkpoint": _checkpoint,
    "key": _key,
    "restore": _restore,
    "export": _export,
    "models": _models,
    "inspect": _inspect,
    "download": _download,
}

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
