"""Rasa bot messages -> Kakao skill responses (version 2.0). Pure functions.

`render_pages` returns one or more complete responses ("pages"). Kakao shows
at most 3 outputs and 10 quick replies per answer; when an answer is bigger
than that even after merging, the rest goes on further pages that the resident
opens with a "더 보기" quick reply (the channel keeps them, see mailbox.py).
Nothing the dialogue said is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from connectors.kakao import limits
from connectors.kakao.components import Button, Component, Rendered, carousels, message_outputs, simple_texts
from connectors.kakao.texts import ConnectorTexts

Response = dict[str, Any]

MORE_KEY = "kakao_more"  # clientExtra key of the paging quick reply


def render_pages(messages: Iterable[dict[str, Any]], texts: ConnectorTexts, more_token: str = "") -> list[Response]:
    """All pages of the answer to one resident message; page 0 is sent right away."""
    rendered = Rendered()
    for message in messages:
        rendered.extend(message_outputs(message, texts))
    outputs = rendered.outputs or simple_texts(texts.empty_reply)
    return paginate(compact(outputs), dedupe(rendered.quick_replies), texts, more_token)


def render_response(messages: Iterable[dict[str, Any]], texts: ConnectorTexts) -> Response:
    """Only the first page (for callers that do not page, e.g. previews)."""
    return render_pages(messages, texts)[0]


def text_response(text: str) -> Response:
    """A plain Kakao answer; also the body of error replies (400/401/403/413)."""
    return {"version": "2.0", "template": {"outputs": simple_texts(text) or [{"simpleText": {"text": "."}}]}}


def callback_ack(text: str) -> Response:
    """Immediate answer telling Kakao the real one will be POSTed to the callbackUrl."""
    return {"version": "2.0", "useCallback": True, "data": {"text": text}}


def without_choices(messages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages minus their choice buttons (link/phone buttons stay).

    Used for answers delivered late: by then the dialogue has moved on and
    their choices would answer a question that is no longer open.
    """
    result = []
    for message in messages:
        copy = dict(message)
        for key in ("buttons", "quick_replies"):
            if copy.get(key):
                kept = [b for b in copy[key] if _is_link_spec(b)]
                if kept:
                    copy[key] = kept
                else:
                    copy.pop(key)
        result.append(copy)
    return result


def _is_link_spec(button: Any) -> bool:
    if not isinstance(button, dict):
        return False
    payload = str(button.get("payload") or "").lower()
    return bool(button.get("url") or button.get("phone")) or payload.startswith(("http://", "https://", "tel:"))


# --- merging ---------------------------------------------------------------------


def compact(outputs: list[Component]) -> list[Component]:
    """Fewer outputs when there are more than Kakao shows: first join neighbouring
    text bubbles, then gather neighbouring cards/images into carousels."""
    if len(outputs) <= limits.MAX_OUTPUTS:
        return outputs
    outputs = _pack_texts(outputs)
    if len(outputs) <= limits.MAX_OUTPUTS:
        return outputs
    return _group_cards(outputs)


def _pack_texts(outputs: list[Component]) -> list[Component]:
    packed: list[Component] = []
    for output in outputs:
        previous = packed[-1] if packed else None
        if previous and "simpleText" in previous and "simpleText" in output:
            joined = previous["simpleText"]["text"] + "\n\n" + output["simpleText"]["text"]
            if len(joined) <= limits.MAX_SIMPLE_TEXT:
                packed[-1] = {"simpleText": {"text": joined}}
                continue
        packed.append(output)
    return packed


def _as_carousel_items(output: Component) -> tuple[str, list[Component]] | None:
    kind, body = next(iter(output.items()))
    if kind == "simpleImage":
        # A picture alone is a basicCard with just a thumbnail.
        return "basicCard", [{"thumbnail": {"imageUrl": body["imageUrl"]}}]
    if kind in limits.CARD_KINDS:
        return kind, [body]
    if kind == "carousel" and body.get("type") in limits.CARD_KINDS:
        return body["type"], list(body.get("items") or [])
    return None


def _group_cards(outputs: list[Component]) -> list[Component]:
    grouped: list[Component] = []
    run: list[Component] = []
    run_kind: str | None = None
    run_items: list[Component] = []

    def flush() -> None:
        if len(run) == 1:
            grouped.append(run[0])  # nothing to merge with: keep it as it was
        elif run:
            grouped.extend(carousels(run_kind, run_items))

    for output in outputs:
        as_items = _as_carousel_items(output)
        if as_items and as_items[0] == run_kind:
            run.append(output)
            run_items.extend(as_items[1])
            continue
        flush()
        run, run_kind, run_items = ([output], as_items[0], list(as_items[1])) if as_items else ([], None, [])
        if not as_items:
            grouped.append(output)
    flush()
    return grouped


def dedupe(replies: list[Button]) -> list[Button]:
    seen = set()
    unique = []
    for reply in replies:
        key = json.dumps(reply, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            unique.append(reply)
    return unique


# --- pages -----------------------------------------------------------------------


def more_reply(texts: ConnectorTexts, token: str, page: int) -> Button:
    return {
        "label": texts.more_label,
        "action": "message",
        "messageText": texts.more_message,
        "extra": {MORE_KEY: f"{token}:{page}"},
    }


def _page(outputs: list[Component], replies: list[Button]) -> Response:
    template: dict[str, Any] = {"outputs": outputs}
    if replies:
        template["quickReplies"] = replies
    return {"version": "2.0", "template": template}


def _reply_chunks(replies: list[Button]) -> list[list[Button]]:
    """Quick replies in chunks a page can carry; all but the last leave room for "더 보기"."""
    chunks = []
    rest = list(replies)
    while len(rest) > limits.MAX_QUICK_REPLIES:
        chunks.append(rest[: limits.MAX_QUICK_REPLIES - 1])
        rest = rest[limits.MAX_QUICK_REPLIES - 1 :]
    chunks.append(rest)
    return chunks


def _split_oversized(outputs: list[Component], budget: int) -> list[Component]:
    """Carousels too heavy for one response are halved until each part fits."""
    result: list[Component] = []
    for output in outputs:
        body = output.get("carousel")
        if body and len(body["items"]) > 1 and limits.response_bytes(_page([output], [])) > budget:
            half = len(body["items"]) // 2
            parts = [
                {"carousel": dict(body, items=body["items"][:half])},
                {"carousel": dict(body, items=body["items"][half:])},
            ]
            result.extend(_split_oversized(parts, budget))
        else:
            result.append(output)
    return result


def paginate(outputs: list[Component], replies: list[Button], texts: ConnectorTexts, token: str) -> list[Response]:
    chunks = _reply_chunks(replies)
    sample_more = more_reply(texts, token, 99)
    reserve = max(limits.response_bytes(_page([], chunk + [sample_more])) for chunk in chunks)
    budget = limits.MAX_RESPONSE_BYTES - reserve

    content: list[list[Component]] = [[]]
    for output in _split_oversized(outputs, budget):
        page = content[-1]
        if page and (len(page) == limits.MAX_OUTPUTS or limits.response_bytes(_page(page + [output], [])) > budget):
            content.append([output])
        else:
            page.append(output)

    # Choices belong after all the content: they go on the last content page,
    # and any beyond ten on extra pages that only hold choices.
    page_outputs = content + [simple_texts(texts.more_choices) for _ in chunks[1:]]
    page_replies: list[list[Button]] = [[] for _ in content[:-1]] + chunks
    pages = []
    for index, (outs, reps) in enumerate(zip(page_outputs, page_replies)):
        is_last = index == len(page_outputs) - 1
        pages.append(_page(outs, reps if is_last else reps + [more_reply(texts, token, index + 1)]))
    return pages
