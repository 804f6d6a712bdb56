"""Stage message templates, loaded from the district's notifications.yml (the outbox
renders them when a stage is recorded; the notification worker sends the result).

The Korean wording lives in that file (template code + text with #{param}
placeholders, as 알림톡 templates are written), never in Python. Loading checks that
every stage has a template and that each template only uses known parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from sotong.complaints.lifecycle import STAGES
from sotong.settings import load_settings

__all__ = ["STAGES", "KNOWN_PARAMS", "StageTemplate", "TemplateError", "load_templates"]
# Everything the core can fill in; a template uses a subset.
KNOWN_PARAMS = frozenset(
    {
        "receipt_no",
        "category",
        "department",
        "department_phone",
        "officer_name",
        "officer_phone",
        "due_date",
        "address",
        "note",
        "reason",
        "appeal_info",
    }
)
_PLACEHOLDER = re.compile(r"#\{(\w+)\}")


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class StageTemplate:
    stage: str
    code: str
    text: str

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_PLACEHOLDER.findall(self.text)))

    def parameters(self, values: Mapping[str, object]) -> dict[str, str]:
        """The templateParameter object: exactly this template's variables."""
        return {name: "" if values.get(name) is None else str(values[name]) for name in self.param_names}

    def render(self, values: Mapping[str, object]) -> str:
        params = self.parameters(values)
        return _PLACEHOLDER.sub(lambda m: params[m.group(1)], self.text)


def load_templates(path: Path | None = None) -> dict[str, StageTemplate]:
    path = Path(path or load_settings().district_dir / "notifications.yml")
    return dict(_load(str(path.resolve())))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[tuple[str, StageTemplate], ...]:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    raw = data.get("templates") or {}
    missing = [s for s in STAGES if s not in raw]
    if missing:
        raise TemplateError(f"{path}: no template for stage(s) {', '.join(missing)}")
    out = []
    for stage in STAGES:
        entry = raw[stage] or {}
        template = StageTemplate(stage=stage, code=str(entry.get("code", "")).strip(), text=str(entry.get("text", "")))
        if not template.code or not template.text.strip():
            raise TemplateError(f"{path}: stage {stage} needs both code and text")
        unknown = set(template.param_names) - KNOWN_PARAMS
        if unknown:
            raise TemplateError(f"{path}: stage {stage} uses unknown parameter(s) {sorted(unknown)}")
        out.append((stage, template))
    return tuple(out)
