"""Images into llama.cpp through its mtmd library (the vision projector, ``mmproj-*.gguf``).

llama-cpp-python's ``MTMDChatHandler`` does this inside ``create_chat_completion``, which
drops control tokens such as ``[THINK]`` when it detokenizes. Here the handler is used
only for its mtmd context and bitmap loader; the backend's own prompt ids are evaluated
with each image's chunks between them, and generation then runs through the backend's own
token loop.
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

    def count_tokens(self, segments: Sequence[Sequence[int]], images: Sequence[bytes]) -> int:
        """Prompt length in positions, images included, without evaluating anything."""
        total = sum(len(segment) for segment in segments)
        for data in images:
            chunks = self._image_chunks(data)
            try:
                total += int(self._mtmd.mtmd_helper_get_n_tokens(chunks))
            finally:
                self._mtmd.mtmd_input_chunks_free(chunks)
        return total

    def evaluate(self, segments: Sequence[Sequence[int]], images: Sequence[bytes]) -> list[int]:
        """Run the prompt through the model: ``segments[i]``, then image ``i``, and so on; return the ids.

        The text ids are the backend's, never tokenized again here: mtmd would read the whole
        prompt text with special tokens parsed, message text included. mtmd is given each
        image alone (its marker only), so the projector adds its own wrapping tokens, if any.
        The cache is reset first: image positions are stored as placeholder ids, so a
        token-prefix cache could mistake two different images for the same prompt.
        """
        if len(segments) != len(images) + 1:
            raise ValueError(
                f"{len(images)} image(s) need {len(images) + 1} text segments, not {len(segments)}"
            )
        llm = self._llm
        llm.reset()
        llm._ctx.kv_cache_clear()
        for index, segment in enumerate(segments):
            if segment:
                llm.eval(list(segment))
            if index < len(images):
                chunks = self._image_chunks(images[index])
                try:
                    self._evaluate_chunks(chunks)
                finally:
                    self._mtmd.mtmd_input_chunks_free(chunks)
        return [int(token) for token in llm.input_ids[: llm.n_tokens]]

    def _evaluate_chunks(self, chunks: Any) -> None:
        import llama_cpp

        llm, mtmd = self._llm, self._mtmd
        for index in range(mtmd.mtmd_input_chunks_size(chunks)):
            chunk = mtmd.mtmd_input_chunks_get(chunks, index)
            if chunk is None:
                continue
            if mtmd.mtmd_input_chunk_get_type(chunk) == mtmd.MTMD_INPUT_CHUNK_TYPE_TEXT:
                count = ctypes.c_size_t()
                pointer = mtmd.mtmd_input_chunk_get_tokens_text(chunk, ctypes.byref(count))
                if count.value:
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

    def _image_chunks(self, data: bytes) -> Any:
        """mtmd's chunks for one image: the image and any tokens the projector wraps it in."""
        mtmd = self._mtmd
        bitmap = self._handler._create_bitmap_from_bytes(data)
        try:
            payload = self.marker.encode("utf-8")
            request = mtmd.mtmd_input_text()
            request.text = payload
            request.text_len = len(payload)
            request.add_special = False  # the backend's ids already hold BOS where it belongs
            request.parse_special = True  # only mtmd's own wrapping text is read here
            chunks = mtmd.mtmd_input_chunks_init()
            array = (mtmd.mtmd_bitmap_p_ctypes * 1)(bitmap)
            result = mtmd.mtmd_tokenize(mtmd_context(self._handler), chunks, ctypes.byref(request), array, 1)
            if result != 0:
                mtmd.mtmd_input_chunks_free(chunks)
                raise ModelError(f"An image could not be prepared for the model (mtmd error {result}).")
            return chunks
        finally:
            mtmd.mtmd_bitmap_free(bitmap)


def mtmd_context(handler: Any) -> Any:
    return handler.mtmd_ctx
