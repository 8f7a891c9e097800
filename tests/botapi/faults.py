"""Scripted faults: errors, 429 storms, delays, hangs and dropped connections, per method/chat."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

from tests.botapi.errors import PRESETS, ApiError

# When each action happens relative to processing the request.
BEFORE = frozenset({"error", "hang", "delay", "drop"})
AFTER = frozenset({"delay_after", "drop_after"})
ACTIONS = BEFORE | AFTER


@dataclass
class Fault:
    """One rule. Matches calls by method (any case) and chat; fires `times` times or a fraction.

    Actions:
      error        answer with `code`/`description`/`parameters` (nothing is processed)
      hang         wait `seconds`, then close the connection (nothing is processed)
      delay        wait `seconds`, then process and answer normally (delivered late)
      drop         close the connection at once (nothing is processed)
      delay_after  process, then wait `seconds` before answering (delivered; the client may
                   time out: the "uncertain" case)
      drop_after   process, then close the connection without an answer (delivered, unknown)
    """

    action: str = "error"
    method: str | None = None
    chat_id: int | None = None
    times: int | None = 1
    fraction: float | None = None
    code: int = 500
    description: str = "Internal Server Error"
    parameters: dict[str, Any] | None = None
    seconds: float = 0.0
    id: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}; use one of {sorted(ACTIONS)}")
        if self.method:
            self.method = self.method.lower()

    def error(self) -> ApiError:
        """The ApiError an "error" fault answers with."""
        return ApiError(self.code, self.description, self.parameters)

    def as_dict(self) -> dict[str, Any]:
        """JSON for the control API."""
        return asdict(self)


def make_fault(
    preset: str | None = None, *, retry_after: int | None = None, **options: Any
) -> Fault:
    """A Fault from a preset name ("blocked", "server_error", "too_many", ...) and options."""
    if preset == "too_many":
        after = retry_after if retry_after is not None else 1
        options.setdefault("code", 429)
        options.setdefault("description", f"Too Many Requests: retry after {after}")
        options.setdefault("parameters", {"retry_after": after})
    elif preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"unknown fault preset {preset!r}; use one of {sorted(PRESETS)}")
        code, description = PRESETS[preset]
        options.setdefault("code", code)
        options.setdefault("description", description)
    return Fault(**options)


class Faults:
    """The active rules, checked in the order they were added."""

    def __init__(self, seed: int = 0):
        self.rules: list[Fault] = []
        self.fired = 0
        self._next_id = 1
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> Fault:
        """Activate a rule; returns it with its id."""
        fault.id = self._next_id
        self._next_id += 1
        self.rules.append(fault)
        return fault

    def remove(self, fault_id: int | None = None) -> None:
        """Remove one rule, or all of them."""
        self.rules = [] if fault_id is None else [f for f in self.rules if f.id != fault_id]

    def take(self, stage: frozenset[str], method: str, chat_id: int | None) -> Fault | None:
        """The first rule of this stage that matches the call and fires; counts it."""
        if not self.rules:
            return None
        for fault in self.rules:
            if fault.action not in stage or not self._matches(fault, method, chat_id):
                continue
            if fault.fraction is not None and self._random.random() >= fault.fraction:
                continue
            fault.fired += 1
            self.fired += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.rules.remove(fault)
            return fault
        return None

    @staticmethod
    def _matches(fault: Fault, method: str, chat_id: int | None) -> bool:
        if fault.method is not None and fault.method != method:
            return False
        return fault.chat_id is None or fault.chat_id == chat_id
