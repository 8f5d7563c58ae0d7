"""Images into llama.cpp through its mtmd library (the vision projector, ``mmproj-*.gguf``).

llama-cpp-python's ``MTMDChatHandler`` does this inside ``create_chat_completion``, which
drops control tokens such as ``[THINK]`` when it detokenizes. Here the handler is used
only for its mtmd context and bitmap loader; the prompt is evaluated with mtmd's own
chunking, and generation then runs through the backend's own token loop.
Images are handed over as bytes only: nothing is ever fetched.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.errors import ModelError


class Vision:
    """A loaded projector bound to one ``Llama``."""

    def __init__(self, llm: Any, projector: Path) -> None:
        import llama_cpp.mtmd_cpp as mtmd_cpp
        from llama_cpp.llama_chat_format import MTMDChatHandler

        self._mtmd = mtmd_cpp
        self._llm = llm
        self.projector = projector
        try:
            self._handler = MTMDChatHandler(clip_model_path=str(projector), verbose=False)
            self._handler._init_mtmd_context(llm)
        except (ValueError, RuntimeError, OSError) as error:
            raise ModelError(
                f"The vision projector {projector.name} could not be loaded for this model: {error}. "
                "A projector must come from the same model family as the model file."
            ) from error
        self.marker: str = mtmd_cpp.mtmd_default_marker().decode("utf-8")

    def count_tokens(self, text: str, images: Sequence[bytes]) -> int:
        """Prompt length in positions, images included, without evaluating anything."""
        chunks = self._tokenize(text, images)
        try:
            return int(self._mtmd.mtmd_helper_get_n_tokens(chunks))
        finally:
            self._mtmd.mtmd_input_chunks_free(chunks)

    def evaluate(self, text: str, images: Sequence[bytes]) -> list[int]:
        """Run the prompt (text and images) through the model; return the prompt ids.

        The cache is reset first: image positions are stored as placeholder ids, so a
        token-prefix cache could mistake two different images for the same prompt.
        """
        import llama_cpp

        llm, mtmd = self._llm, self._mtmd
        chunks = self._tokenize(text, images)
        try:
            llm.reset()
            llm._ctx.kv_cache_clear()
            for index in range(mtmd.mtmd_input_chunks_size(chunks)):
                chunk = mtmd.mtmd_input_chunks_get(chunks, index)
                if chunk is None:
                    continue
                if mtmd.mtmd_input_chunk_get_type(chunk) == mtmd.MTMD_INPUT_CHUNK_TYPE_TEXT:
                    count = ctypes.c_size_t()
                    pointer = mtmd.mtmd_input_chunk_get_tokens_text(chunk, ctypes.byref(count))
                    llm.eval([pointer[i] for i in range(count.value)])
                    continue
                new_past = llama_cpp.llama_pos(0)
                result = mtmd.mtmd_helper_eval_chunk_single(
                    mtmd_context(self._handler),
                    llm._ctx.ctx,
                    chunk,
                    llama_cpp.llama_pos(llm.n_tokens),
                    llama_cpp.llama_seq_id(0),
                    llm.n_batch,
                    False,
                    ctypes.byref(new_past),
                )
                if result != 0:
                    raise RuntimeError(f"llama.cpp could not evaluate an image (error {result})")
                llm.n_tokens = new_past.value
            return [int(token) for token in llm.input_ids[: llm.n_tokens]]
        finally:
            mtmd.mtmd_input_chunks_free(chunks)

    def _tokenize(self, text: str, images: Sequence[bytes]) -> Any:
        mtmd = self._mtmd
        bitmaps = [self._handler._create_bitmap_from_bytes(data) for data in images]
        try:
            payload = text.encode("utf-8")
            request = mtmd.mtmd_input_text()
            request.text = payload
            request.text_len = len(payload)
            request.add_special = True
            request.parse_special = True
            chunks = mtmd.mtmd_input_chunks_init()
            array = (mtmd.mtmd_bitmap_p_ctypes * len(bitmaps))(*bitmaps)
            result = mtmd.mtmd_tokenize(
                mtmd_context(self._handler), chunks, ctypes.byref(request), array, len(bitmaps)
            )
            if result != 0:
                mtmd.mtmd_input_chunks_free(chunks)
                raise ModelError(
                    f"The prompt and its {len(images)} image(s) could not be prepared for the model "
                    f"(mtmd error {result}: the number of image markers and images must match)."
                )
            return chunks
        finally:
            for bitmap in bitmaps:
                mtmd.mtmd_bitmap_free(bitmap)


def mtmd_context(handler: Any) -> Any:
    return handler.mtmd_ctx
