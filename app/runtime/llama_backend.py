"""The real runtime: llama-cpp-python with our own token loop.

Our own loop, rather than ``create_chat_completion``, because llama-cpp-python
detokenizes with ``special=False`` and so silently drops ``[THINK]``/``[/THINK]``.
"""

from __future__ import annotations

import codecs
import ctypes
import functools
import importlib.metadata
import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any

from app.core.cancel import CancelToken
from app.core.errors import ModelError
from app.core.hashing import sha256_text
from app.core.presets import MAGISTRAL_SYSTEM_PROMPT
from app.core.reasoning import DEFAULT_TAGS
from app.core.tokens import IMAGE_SLOT, TokenPiece
from app.core.types import ChatMessage, PreparedPrompt, RunSettings, TemplateChoice
from app.resources import resource_path
from app.runtime.backend import LoadedModel, LoadOptions
from app.runtime.gguf_inspect import inspect_file
from app.runtime.grammar import ThinkTokens, reasoning_grammar
from app.runtime.model_files import check_model_file
from app.runtime.prompt_tokens import (
    PromptTokens,
    SpecialToken,
    TemplateMismatch,
    TextMask,
    tokenize_rendering,
    vocab_specials,
)
from app.runtime.vision import Vision

PINNED_MAGISTRAL = "magistral-small-2509"

_llama_log = logging.getLogger("llama.cpp")
# ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5 (continues the previous line).
_LOG_LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_log_callback: Any = None
_last_level = logging.DEBUG


def _route_llama_logs() -> None:
    """Send llama.cpp's own messages to the log file, never to stdout/stderr.

    The command line prints reasoning on stderr and the answer on stdout; llama.cpp's
    diagnostics (it prints some even with verbose=False) must not mix into either.
    """
    global _log_callback
    if _log_callback is not None:
        return
    import llama_cpp

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def forward(level: int, text: bytes, _data: ctypes.c_void_p) -> None:
        global _last_level
        if level != 5:
            _last_level = _LOG_LEVELS.get(level, logging.DEBUG)
        message = text.decode("utf-8", "replace").rstrip()
        if message:
            _llama_log.log(_last_level, "%s", message)

    _log_callback = forward  # llama.cpp keeps only the function pointer
    llama_cpp.llama_log_set(forward, ctypes.c_void_p(0))
    import llama_cpp.mtmd_cpp as mtmd_cpp

    # mtmd prints image-encoding progress to stderr even when not verbose.
    mtmd_cpp.mtmd_log_set(forward, ctypes.c_void_p(0))
    mtmd_cpp.mtmd_helper_log_set(forward, ctypes.c_void_p(0))


def pinned_template(name: str = PINNED_MAGISTRAL) -> str:
    return resource_path("templates", f"{name}.jinja").read_text("utf-8")


class LlamaBackend:
    """Owns one ``llama_cpp.Llama``; use it from a single thread."""

    def __init__(self) -> None:
        self._llm: Any = None
        self._loaded: LoadedModel | None = None
        self._think_tokens: ThinkTokens | None = None
        self._grammar: Any = None
        self._formatters: dict[tuple[str, str], Any] = {}
        self._vision: Vision | None = None
        self._abort = _AbortSwitch()
        self._options: LoadOptions | None = None
        # The last prompt prepared: its messages and its ids.
        self._tokenized: tuple[tuple[ChatMessage, ...], PromptTokens] | None = None
        self._specials: tuple[SpecialToken, ...] | None = None

    @property
    def loaded(self) -> LoadedModel | None:
        return self._loaded

    @property
    def runtime_version(self) -> str:
        return _runtime_version()

    @property
    def runtime_info(self) -> dict[str, object]:
        """What llama.cpp reports about the backend in use (recorded in the model.loaded event)."""
        import llama_cpp

        llm = self._llm
        gpu = bool(llama_cpp.llama_supports_gpu_offload())
        requested = self._options.n_gpu_layers if self._options else 0
        layers = llama_cpp.llama_model_n_layer(llm._model.model) + 1 if llm is not None else 0  # + output
        return {
            "system_info": llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip(" |"),
            "gpu_offload_supported": gpu,
            "n_gpu_layers_requested": requested,
            "layers_offloaded": min(requested, layers) if gpu else 0,
            "n_layers": layers,
            "n_threads": llm.n_threads if llm is not None else 0,
            "n_threads_batch": llm.n_threads_batch if llm is not None else 0,
            "n_batch": llm.n_batch if llm is not None else 0,
            "n_ubatch": llm.context_params.n_ubatch if llm is not None else 0,
            # Weights memory-mapped from the file: loading reads nothing up front, the OS pages
            # them in on first use and shares them with its file cache.
            "mmap": llm is not None and llama_cpp.llama_supports_mmap() and _maps_weights(llm.model_params),
        }

    def load(
        self, path: Path, options: LoadOptions, *, is_demo: bool = False, projector: Path | None = None
    ) -> LoadedModel:
        check_model_file(path)
        if projector is not None:
            check_model_file(projector)
        # llama.cpp's own GGUF parser runs in this process: a file must first pass the
        # inspector, which parses it in a child process with time and memory limits.
        info = inspect_file(path)
        if projector is not None:
            inspect_file(projector)
        import llama_cpp  # deferred: importing it loads the native library

        _route_llama_logs()
        self.close()
        try:
            llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=options.n_ctx,
                n_threads=options.n_threads or None,
                n_gpu_layers=options.n_gpu_layers,
                use_mmap=True,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as error:
            raise ModelError(
                f"llama.cpp could not load {path.name}: the file is damaged or truncated, or holds a "
                f"model type this version of llama.cpp does not support ({error})."
            ) from error
        self._llm = llm
        self._options = options
        if projector is not None:
            try:
                self._vision = Vision(llm, projector)
            except ModelError:
                self.close()
                raise
        self._think_tokens = _find_think_tokens(llm)
        metadata = llm.metadata
        self._loaded = LoadedModel(
            path=path,
            name=metadata.get("general.name") or path.stem,
            architecture=metadata.get("general.architecture", "unknown"),
            context_length=llm._model.n_ctx_train(),
            n_ctx=llm.n_ctx(),
            has_chat_template=bool(metadata.get("tokenizer.chat_template")),
            has_think_tokens=self._think_tokens is not None,
            is_demo=is_demo,
            projector=projector,
            quantization=info.quantization or "",
            parameter_count=info.parameter_count or 0,
            info=info,
        )
        self._grammar = _checked_grammar(llm, reasoning_grammar(self._think_tokens))
        self._abort.attach(llm)
        # What every prompt needs, read now rather than before the first turn's prefill: the
        # vocabulary's control tokens, and the model's own chat template compiled.
        self._special_tokens()
        if metadata.get("tokenizer.chat_template"):
            self._formatter(metadata["tokenizer.chat_template"])
        return self._loaded

    def prepare(
        self,
        messages: tuple[ChatMessage, ...],
        settings: RunSettings,
        images: Mapping[str, bytes] | None = None,
    ) -> PreparedPrompt:
        """Render the chat template and tokenize it; images (by SHA-256 in ``images``) become mtmd markers.

        Only the template's own text is read for control tokens: message texts are plain
        text, whatever they hold (``prompt_tokens`` says how). The ids computed here are
        what ``generate`` evaluates; the text is their faithful rendering, kept for the record.
        """
        llm = self._require_model()
        template, source = self._template(settings)
        formatter = self._formatter(template)
        marker = self._vision.marker if self._vision is not None else ""
        avoid = [template, marker, formatter.bos_token, formatter.eos_token]
        mask = TextMask([*avoid, *(m.content + m.reasoning for m in messages)])
        rendered, masked, image_data = self._template_messages(messages, images or {}, mask)
        try:
            text = formatter(messages=rendered).prompt
            masked_text = formatter(messages=masked).prompt
        except Exception as error:  # a broken template is the model file's fault, not a crash
            raise ModelError(f"The chat template ({source}) failed to render: {error}") from error
        try:
            segments = tokenize_rendering(
                text,
                masked_text,
                mask,
                self._special_tokens(),
                lambda run: llm.tokenize(run.encode("utf-8"), add_bos=False, special=False),
                marker or None,
            )
        except TemplateMismatch as error:
            raise ModelError(
                f"The chat template ({source}) changes a message depending on what the message says, so "
                "the message text cannot be kept apart from the template's control tokens. Use the pinned "
                "template or a model file with another template."
            ) from error
        bos = llm.token_bos()
        wants_bos = llm.metadata.get("tokenizer.ggml.add_bos_token", "false") == "true"
        first = next(chain.from_iterable(segments), None)
        if wants_bos and bos >= 0 and first != bos:
            text = _token_text(llm, bos) + text
            segments = ((bos, *segments[0]), *segments[1:])
        digest = sha256_text(text)
        tokens = PromptTokens(digest, segments)
        self._tokenized = (messages, tokens)
        count = len(tokens.ids)
        if image_data:
            assert self._vision is not None
            count = self._vision.count_tokens(tokens.segments, image_data)
        stripped = text.rstrip()
        return PreparedPrompt(
            messages=messages,
            text=text,
            sha256=digest,
            token_count=count,
            template_source=source,
            template_sha256=sha256_text(template),
            starts_in_reasoning=any(stripped.endswith(open_tag) for open_tag, _ in DEFAULT_TAGS),
            image_data=tuple(image_data),
            token_segments=tokens.segments,
        )

    def count_tokens(self, messages: tuple[ChatMessage, ...], settings: RunSettings) -> int | None:
        """How many tokens ``messages`` are, rendered and tokenized exactly as ``prepare`` does
        (images left out); the prompt ``prepare`` made last stays the one kept."""
        kept = self._tokenized
        try:
            return self.prepare(tuple(replace(m, images=()) for m in messages), settings).token_count
        finally:
            self._tokenized = kept

    def prompt_tokens(self, prompt: PreparedPrompt, settings: RunSettings) -> PromptTokens:
        """The ids ``prompt`` is evaluated as: its ``token_segments``, else what ``prepare`` computed.

        Ids given with the prompt (those ``prepare`` made, or a turn's recorded ids) are used as
        they are, nothing rendered again. A prompt without ids that this backend did not just
        prepare is prepared again from its messages; its text must come out the same, or it was
        made for another model or template. Text alone cannot say which characters were typed
        and which are the template's: it is never tokenized with special tokens parsed.
        """
        if prompt.token_segments:
            if len(prompt.token_segments) != len(prompt.image_data) + 1:
                raise ModelError(
                    f"This prompt's ids leave room for {len(prompt.token_segments) - 1} image(s), "
                    f"but {len(prompt.image_data)} came with it."
                )
            vocabulary = int(self._require_model().n_vocab())
            ids = chain.from_iterable(prompt.token_segments)
            unknown = next((token for token in ids if not 0 <= token < vocabulary), None)
            if unknown is not None:
                raise ModelError(
                    f"This prompt holds token id {unknown}, which this model's vocabulary "
                    f"({vocabulary} tokens) does not have: it was made for another model."
                )
            return PromptTokens(prompt.sha256, prompt.token_segments)
        known = self._tokenized
        if known is not None and known[1].sha256 == prompt.sha256 and known[0] == prompt.messages:
            return known[1]
        shas = [sha256 for message in prompt.messages for sha256 in message.images]
        again = self.prepare(prompt.messages, settings, dict(zip(shas, prompt.image_data, strict=False)))
        if again.sha256 != prompt.sha256:
            raise ModelError(
                "This prompt was not prepared for the model and template in use: its messages render "
                f"to another text now ({again.sha256[:12]}, recorded {prompt.sha256[:12]})."
            )
        assert self._tokenized is not None
        return self._tokenized[1]

    def _template(self, settings: RunSettings) -> tuple[str, str]:
        gguf_template = self._require_model().metadata.get("tokenizer.chat_template") or ""
        if settings.template == TemplateChoice.MAGISTRAL or not gguf_template:
            return pinned_template(), f"pinned:{PINNED_MAGISTRAL}"
        return gguf_template, "gguf"

    def _formatter(self, template: str) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llm = self._require_model()
        bos = _token_text(llm, llm.token_bos())
        key = (template, bos)
        formatter = self._formatters.get(key)
        if formatter is None:  # compiling a Jinja template costs milliseconds: once per template
            eos = _token_text(llm, llm.token_eos())
            formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
            self._formatters[key] = formatter
        return formatter

    def _special_tokens(self) -> tuple[SpecialToken, ...]:
        if self._specials is None:  # reading every token's attributes: once per model
            self._specials = vocab_specials(self._require_model())
        return self._specials

    def _template_messages(
        self, messages: tuple[ChatMessage, ...], images: Mapping[str, bytes], mask: TextMask
    ) -> tuple[list[Any], list[Any], list[bytes]]:
        """Messages for the template, as they are and masked; each image becomes the projector's marker."""
        rendered: list[Any] = []
        masked: list[Any] = []
        data: list[bytes] = []
        for message in messages:
            content = self._masked_content(message, mask)
            if not message.images:
                rendered.append(message.to_dict())
                masked.append({**message.to_dict(), "content": content})
                if message.reasoning:  # sent only to servers today; text all the same
                    masked[-1]["reasoning"] = mask.text(message.reasoning)
                continue
            if self._vision is None:
                raise ModelError("This model has no vision projector: it cannot be sent images.")
            markers = [{"type": "text", "text": self._vision.marker} for _ in message.images]
            rendered.append(
                {"role": message.role, "content": [*markers, {"type": "text", "text": message.content}]}
            )
            masked.append({"role": message.role, "content": [*markers, {"type": "text", "text": content}]})
            data.extend(images[sha256] for sha256 in message.images)
        return rendered, masked, data

    def _masked_content(self, message: ChatMessage, mask: TextMask) -> str:
        """A message's text behind placeholders; the Magistral system prompt keeps its think chunk.

        Mistral encodes the model card's system prompt with its ``[THINK]…[/THINK]`` example as
        a think chunk, i.e. as control tokens: that exact prompt does so here too, on a model
        whose vocabulary has those tokens. Any other system prompt is text like every message.
        """
        content = message.content
        if message.role == "system" and content == MAGISTRAL_SYSTEM_PROMPT and self._think_tokens is not None:
            before, rest = content.split("[THINK]", 1)
            thought, after = rest.split("[/THINK]", 1)
            return f"{mask.text(before)}[THINK]{mask.text(thought)}[/THINK]{mask.text(after)}"
        return mask.text(content)

    def generate(
        self, prompt: PreparedPrompt, settings: RunSettings, cancel: CancelToken
    ) -> _LlamaGeneration:
        llm = self._require_model()
        tokens = self.prompt_tokens(prompt, settings)
        if prompt.image_data:
            vision = self._vision
            if vision is None:
                raise ModelError("This model has no vision projector: it cannot be sent images.")
            segments = tokens.segments
            return _LlamaGeneration(
                self, llm, lambda: vision.evaluate(segments, prompt.image_data), settings, cancel
            )
        ids = list(tokens.ids)
        return _LlamaGeneration(self, llm, lambda: _from_empty(llm, ids), settings, cancel)

    def token_pieces(self, ids: Sequence[int]) -> list[TokenPiece]:
        """Each id as the vocabulary spells it (control tokens too) and whether it is a control token.

        ``IMAGE_SLOT`` stays an image; an id the vocabulary does not have keeps no text. A piece
        that is part of a character shows its bytes as ``\\xNN`` escapes.
        """
        import llama_cpp

        vocab = self._require_model()._model.vocab
        size = llama_cpp.llama_vocab_n_tokens(vocab)
        pieces = []
        for token in ids:
            if token == IMAGE_SLOT or not 0 <= token < size:
                pieces.append(TokenPiece(token))
                continue
            control = bool(llama_cpp.llama_vocab_get_attr(vocab, token) & llama_cpp.LLAMA_TOKEN_ATTR_CONTROL)
            text = _piece(vocab, token).decode("utf-8", "backslashreplace")
            pieces.append(TokenPiece(token, text, control))
        return pieces

    def detokenize(self, ids: Sequence[int]) -> str:
        """The text sampled ids stand for, control tokens spelled out, as a turn's raw output is."""
        vocab = self._require_model()._model.vocab
        return b"".join(_piece(vocab, token) for token in ids).decode("utf-8", "replace")

    def close(self) -> None:
        if self._llm is not None:
            self._abort.detach()
            self._llm.close()  # also frees the projector's mtmd context
        self._llm = None
        self._vision = None
        self._loaded = None
        self._formatters.clear()
        self._tokenized = None
        self._specials = None

    def _require_model(self) -> Any:
        if self._llm is None:
            raise ModelError("No model is loaded.")
        return self._llm


def _maps_weights(params: Any) -> bool:
    """Whether llama.cpp was asked to memory-map the weights (its load mode, with or without mlock)."""
    import llama_cpp

    return params.load_mode in (llama_cpp.LLAMA_LOAD_MODE_MMAP, llama_cpp.LLAMA_LOAD_MODE_MMAP_MLOCK)


@dataclass
class _LlamaGeneration:
    backend: LlamaBackend
    llm: Any
    prefill: Callable[[], list[int]]  # prompt ids; with images, evaluating them is part of this
    settings: RunSettings
    cancel: CancelToken
    finish_reason: str | None = None
    completion_tokens: int = 0
    # Every id sampled, in order, as it is sampled (the end-of-generation id is not one of them).
    token_ids: list[int] = field(default_factory=list)
    _decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))

    def __iter__(self) -> Iterator[str]:
        import llama_cpp

        llm, params = self.llm, self.settings.params
        assert params.seed is not None, "the service picks the seed before generating"
        llm.set_seed(params.seed)
        vocab = llm._model.vocab
        grammar = self.backend._grammar if self.settings.require_reasoning else None
        switch = self.backend._abort
        switch.arm(self.cancel)  # the prompt prefill can only be stopped from inside llama.cpp
        try:
            tokens = self.prefill()
            budget = min(params.max_tokens, llm.n_ctx() - len(tokens))
            stream = llm.generate(
                tokens,
                top_k=params.top_k,
                top_p=params.top_p,
                min_p=params.min_p,
                temp=params.temperature,
                repeat_penalty=params.repeat_penalty,
                grammar=grammar,
            )
            for token in stream:
                if self.completion_tokens == 0 and not switch.native:
                    switch.disarm()  # per-token checks suffice once decoding runs; spare the GIL
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    self.finish_reason = "stop"
                    break
                self.token_ids.append(int(token))
                self.completion_tokens += 1
                # Not ``llm.detokenize``: it drops a token longer than its 32-byte buffer.
                text = self._decoder.decode(_piece(vocab, token))
                if text:
                    yield text
                if self.cancel.is_set():
                    self.finish_reason = "cancelled"
                    break
                if self.completion_tokens >= budget:
                    self.finish_reason = "length"
                    break
            else:
                self.finish_reason = "stop"
        except RuntimeError:
            if not self.cancel.is_set():
                raise
            llm.reset()  # an aborted decode leaves a half-filled cache behind
            self.finish_reason = "cancelled"
        finally:
            switch.disarm()
        tail = self._decoder.decode(b"", final=True)
        if tail:
            yield tail


class _AbortSwitch:
    """llama.cpp's abort callback, so Stop works during a long prompt prefill.

    The callback must not be Python: llama.cpp calls it once per graph node, and a Python
    callback needs the GIL each time, which slows the prefill, and far more while the GUI
    thread is busy. Instead the callback is the C runtime's ``strlen`` reading a
    two-byte flag buffer: "" (length 0, false) keeps going, "x" (length 1, true) aborts.
    That is checked at attach time; where it does not hold, a Python callback is armed
    only for the prefill.
    """

    def __init__(self) -> None:
        self._ctx: Any = None
        self._flag = ctypes.create_string_buffer(2)
        self._unsubscribe: Callable[[], None] | None = None
        self._cancel: CancelToken | None = None
        self._python_callback: Any = None
        self._native: Any = None
        self._probed = False  # probing needs llama.cpp's library: at the first load, not at start-up

    @property
    def native(self) -> bool:
        return self._native is not None

    def attach(self, llm: Any) -> None:
        import llama_cpp

        if not self._probed:
            self._native = _native_flag_reader(self._flag)
            self._probed = True
        self._ctx = llm._ctx.ctx
        if self._native is not None:
            data = ctypes.cast(self._flag, ctypes.c_void_p)
            llama_cpp.llama_set_abort_callback(self._ctx, self._native, data)
        else:
            # Keep a reference: llama.cpp holds only the raw function pointer.
            self._python_callback = llama_cpp.ggml_abort_callback(self._should_abort)

    def detach(self) -> None:
        self.disarm()
        self._ctx = None

    def arm(self, cancel: CancelToken) -> None:
        """Abort llama.cpp's work as soon as ``cancel`` is set (or now, if it already is)."""
        import llama_cpp

        self._flag.value = b"x" if cancel.is_set() else b""
        self._cancel = cancel
        self._unsubscribe = cancel.subscribe(self._trip)
        if self._native is None and self._ctx is not None:
            llama_cpp.llama_set_abort_callback(self._ctx, self._python_callback, None)

    def disarm(self) -> None:
        """Stop watching; the flag is cleared so the next request runs."""
        import llama_cpp

        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._native is None and self._ctx is not None and self._cancel is not None:
            llama_cpp.llama_set_abort_callback(self._ctx, llama_cpp.ggml_abort_callback(), None)
        self._cancel = None
        self._flag.value = b""

    def _trip(self) -> None:
        self._flag.value = b"x"

    def _should_abort(self, _data: ctypes.c_void_p) -> bool:
        cancel = self._cancel
        return cancel is not None and cancel.is_set()


def _native_flag_reader(flag: Any) -> Any:
    """``strlen`` as a ggml_abort_callback, if it reads the flag correctly on this platform."""
    import llama_cpp

    try:
        runtime = ctypes.cdll.msvcrt if sys.platform == "win32" else ctypes.CDLL(None)
        address = ctypes.cast(runtime.strlen, ctypes.c_void_p).value
    except (OSError, AttributeError):
        return None
    if address is None:
        return None
    reader = llama_cpp.ggml_abort_callback(address)
    data = ctypes.cast(flag, ctypes.c_void_p)
    flag.value = b""
    keeps_going = reader(data) is False
    flag.value = b"x"
    aborts = reader(data) is True
    flag.value = b""
    return reader if keeps_going and aborts else None


@functools.cache
def _runtime_version() -> str:
    """The installed llama-cpp-python (reading package metadata takes milliseconds: once)."""
    return "llama-cpp-python " + importlib.metadata.version("llama-cpp-python")


def _from_empty(llm: Any, ids: list[int]) -> list[int]:
    """Forget every cached position, so ``ids`` are evaluated from an empty context.

    llama-cpp-python would otherwise reuse the cached part of an earlier prompt that begins the
    same way (a follow-up turn begins with the turns before it). Evaluated on top of what is
    left in the cache, the rest of the prompt sits in other cache cells, the attention sums run
    in another order, and the output can differ from a run of the same ids in a fresh context
    (``tests/benchmarks/bench_determinism.py`` measures it): a turn then depends on what ran
    before it in the same process, which the record cannot replay.
    """
    llm.reset()
    llm._ctx.kv_cache_clear()
    return ids


def _piece(vocab: Any, token: int) -> bytes:
    """The bytes of one token, special tokens spelled out, however long it is."""
    import llama_cpp

    size = 64
    while True:
        buffer = ctypes.create_string_buffer(size)
        length = llama_cpp.llama_token_to_piece(vocab, token, buffer, size, 0, True)
        if length >= 0:
            return buffer.raw[:length]
        size = -length  # too small: llama.cpp says how much it needs


def _token_text(llm: Any, token: int) -> str:
    if token < 0:
        return ""
    return bytes(llm.detokenize([token], special=True)).decode("utf-8", "replace")


def _find_think_tokens(llm: Any) -> ThinkTokens | None:
    import llama_cpp

    ids = []
    for tag in ("[THINK]", "[/THINK]"):
        found = llm.tokenize(tag.encode(), add_bos=False, special=True)
        if len(found) != 1:
            return None
        if not llm._model.token_get_attr(found[0]) & llama_cpp.LLAMA_TOKEN_ATTR_CONTROL:
            return None
        ids.append(found[0])
    return ThinkTokens(ids[0], ids[1])


def _checked_grammar(llm: Any, text: str) -> Any:
    import llama_cpp
    from llama_cpp.llama_grammar import LlamaGrammar

    sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, text.encode(), b"root")
    if not sampler:
        raise ModelError("llama.cpp rejected the reasoning grammar for this model's vocabulary.")
    llama_cpp.llama_sampler_free(sampler)
    return LlamaGrammar.from_string(text, verbose=False)
