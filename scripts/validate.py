"""`make validate`: `rasa data validate --fail-on-warnings`, with one check made stricter.

Rasa warns "The utterance 'utter_x' is not used in any story or rule" for every
response that only custom actions utter — which is most of Sotong's, since
answers depend on the district's data. Rasa offers no way to declare those, so
this runs every check `rasa data validate` runs, and replaces that one with:
a response must be used by a story/rule OR named by a custom action in actions/,
AND every response a custom action names must exist. Any other warning fails.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# Quoted utter_ names that are not responses: Rasa's bot-event metadata key naming the response.
NOT_RESPONSES = {"utter_action"}


def responses_named_in_actions() -> set:
    names = set()
    for path in (ROOT / "actions").rglob("*.py"):
        names.update(re.findall(r"[\"'](utter_[a-z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    return names - NOT_RESPONSES


def main() -> int:
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    # The same checks, with the same strictness, as `rasa data validate --fail-on-warnings`
    # (rasa/cli/utils.py: validate_files), minus verify_utterances_in_stories.
    validator = Validator.from_importer(importer)
    ok = all(
        [
            validator.verify_domain_validity(),
            validator.verify_actions_in_stories_rules(),
            validator.verify_forms_in_stories_rules(),
            validator.verify_form_slots(),
            validator.verify_slot_mappings(),
            validator.verify_intents_in_stories(False),
            validator.verify_example_repetition_in_intents(False),
            validator.verify_story_structure(False),
        ]
    )
    problems = []

    in_stories = {
        e.action_name
        for step in validator.story_graph.story_steps
        for e in step.events
        if isinstance(e, ActionExecuted) and (e.action_name or "").startswith("utter_")
    }
    in_actions = responses_named_in_actions()
    domain = importer.get_domain()
    defined = set(domain.responses)
    # Forms ask with utter_ask_<slot>; Rasa's own fallback action utters utter_default.
    by_rasa = {"utter_default"} | {
        f"utter_ask_{slot}" for form in domain.forms.values() for slot in form.get("required_slots", [])
    }
    problems += [
        f"response '{r}' is not used by any story, rule or custom action"
        for r in sorted(defined - in_stories - in_actions - by_rasa)
    ]
    problems += [f"custom actions utter '{r}', which no response file defines" for r in sorted(in_actions - defined)]

    for p in problems:
        print(f"WARNING: {p}")
    if not ok or problems:
        print(f"validation failed: {len(problems)} warning(s)")
        return 1
    print(
        f"validation passed: {len(defined)} responses, {len(in_stories)} uttered by stories/rules, "
        f"{len(in_actions & defined)} by custom actions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
