"""What the sign-off and identity dialogs ask of the services: the window gives its ``Session``."""

from __future__ import annotations

from typing import Protocol

from app.core.types import Identity, Meaning, SignOff
from app.services.signoff import SignOffSummary


class Attempt(Protocol):
    def sign(self, passphrase: str) -> SignOff: ...


class SigningDesk(Protocol):
    """What the sign-off and identity dialogs ask of the services (the window's ``Session``)."""

    def signoff_summary(self, conversation_id: int) -> SignOffSummary: ...

    def identities(self) -> list[Identity]: ...

    def meaning_statement(self, meaning: Meaning) -> str: ...

    def signing_attempt(
        self,
        conversation_id: int,
        *,
        fingerprint: str,
        meaning: Meaning,
        reason: str,
        acknowledged: SignOffSummary,
    ) -> Attempt: ...

    def create_identity(self, name: str, role: str, passphrase: str) -> Identity: ...

    def revoke_identity(self, fingerprint: str, reason: str) -> object: ...
