"""A Kakao skill response drawn as plain terminal text, the way KakaoTalk lays it out.

For the simulator (and its tests): bubbles, cards, carousels, list cards, and
every tappable message button / quick reply numbered so a developer can pick it.
"""

from __future__ import annotations

import textwrap
from typing import Any

from connectors.kakao.limits import response_violations

Choice = dict[str, Any]


def draw(response: dict[str, Any], width: int = 60) -> tuple[list[str], list[Choice]]:
    """(lines to print, tappable choices in the order they are numbered)."""
    lines: list[str] = []
    choices: list[Choice] = []
    if response.get("useCallback"):
        text = (response.get("data") or {}).get("text") or ""
        lines += _bubble(text, width) + ["  … (answer will arrive by callback)"]
        return lines, choices
    template = response.get("template") or {}
    for output in template.get("outputs") or []:
        kind, body = next(iter(output.items()))
        if kind == "carousel":
            items = body.get("items") or []
            lines.append(f"  ◀ carousel of {len(items)} {body.get('type')} ▶")
            for index, item in enumerate(items, 1):
                lines += _component(body.get("type"), item, width, choices, f"{index}/{len(items)} ")
        else:
            lines += _component(kind, body, width, choices)
    replies = template.get("quickReplies") or []
    if replies:
        numbered = []
        for reply in replies:
            choices.append(reply)
            numbered.append(f"[{len(choices)}] {reply.get('label')}")
        lines.append("  " + "  ".join(numbered))
    problems = response_violations(response)
    if problems:
        lines.append("  ⚠ invalid for Kakao: " + "; ".join(problems))
    return lines, choices


def _wrap(text: str, width: int) -> list[str]:
    """Wrapped lines, keeping the text's own line breaks."""
    wrapped: list[str] = []
    for paragraph in text.split("\n"):
        wrapped += textwrap.wrap(paragraph, width) or [""]
    return wrapped


def _bubble(text: str, width: int) -> list[str]:
    return ["  │ " + line for line in _wrap(text, width)] + ["  └"]


def _component(kind: str, body: dict[str, Any], width: int, choices: list[Choice], prefix: str = "") -> list[str]:
    if kind == "simpleText":
        return _bubble(body.get("text") or "", width)
    if kind == "simpleImage":
        return [f"  🖼  {body.get('altText') or ''} <{body.get('imageUrl')}>"]
    lines = [f"  ┌ {prefix}{kind}"]
    if kind == "listCard":
        lines.append(f"  │ ■ {(body.get('header') or {}).get('title', '')}")
        for item in body.get("items") or []:
            link = (item.get("link") or {}).get("web")
            if item.get("action") == "message":
                choices.append(item)
                link = f"[{len(choices)}]"
            description = f" — {item['description']}" if item.get("description") else ""
            lines.append(f"  │ • {item.get('title')}{description}" + (f" {link}" if link else ""))
    else:
        thumbnail = (body.get("thumbnail") or {}).get("imageUrl")
        if thumbnail:
            lines.append(f"  │ 🖼  <{thumbnail}>")
        if body.get("title"):
            lines.append(f"  │ {body['title']}")
        for line in _wrap(body["description"], width) if body.get("description") else []:
            lines.append(f"  │ {line}")
    for button in body.get("buttons") or []:
        action = button.get("action")
        if action == "webLink":
            lines.append(f"  │ ( {button.get('label')} ) → {button.get('webLinkUrl')}")
        elif action == "phone":
            lines.append(f"  │ ( {button.get('label')} ) ☎ {button.get('phoneNumber')}")
        else:
            choices.append(button)
            lines.append(f"  │ [{len(choices)}] ( {button.get('label')} )")
    return lines + ["  └"]
