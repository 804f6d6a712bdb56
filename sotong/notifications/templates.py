"""Moved: stage message templates are rendered by the complaints outbox
(sotong.complaints.stage_messages); this name stays for existing imports."""

from sotong.complaints.stage_messages import (  # noqa: F401
    KNOWN_PARAMS,
    STAGES,
    StageTemplate,
    TemplateError,
    load_templates,
)
