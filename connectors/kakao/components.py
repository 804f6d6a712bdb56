"""One Rasa bot message -> Kakao output components and quick replies.

Pure functions. Each builder already respects the per-component limits
(label, title, description, button counts); anything that does not fit is
moved somewhere visible (a following text bubble, a quick reply, an extra
link card) rather than dropped. Response-level limits (3 outputs, 10 quick
replies, size) are the job of `render`.

The custom-payload convention is documented in docs/rich-responses.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from connectors.kakao import limits
from connectors.kakao.texts import ConnectorTexts
from connectors.kakao.textsplit import shorten, split_text

logger = logging.getLogger(__name__)

Component = dict[str, Any]
Button = dict[str, Any]


@dataclass
class Rendered:
    """Kakao outputs (in order) and the quick replies they bring along."""

    outputs: list[Component] = field(default_factory=list)
    quick_replies: list[Button] = field(default_factory=list)

    def extend(self, other: "Rendered") -> None:
        self.outputs.extend(other.outputs)
        self.quick_replies.extend(other.quick_replies)


# --- buttons -----------------------------------------------------------------


def _is_web_url(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def _is_phone(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith("tel:")


def message_button(title: str, payload: str | None) -> Button:
    """A tap that says `title` in the chat and routes `payload` exactly.

    Kakao posts messageText as the resident's own words, so it must be natural
    Korean, never "/intent{...}"; the payload travels in `extra` and comes back
    as action.clientExtra.payload.
    """
    button: Button = {"label": shorten(title, limits.MAX_LABEL), "action": "message", "messageText": title}
    if payload and payload != title:
        button["extra"] = {"payload": payload}
    return button


def link_button(title: str, url: str) -> Button:
    return {"label": shorten(title, limits.MAX_LABEL), "action": "webLink", "webLinkUrl": url.strip()}


def phone_button(title: str, number: str) -> Button:
    return {"label": shorten(title, limits.MAX_LABEL), "action": "phone", "phoneNumber": number.strip()}


def to_kakao_button(spec: dict[str, Any], texts: ConnectorTexts) -> Button | None:
    """A Rasa button ({title, payload}) or a convention button ({title, url|phone|payload})."""
    if not isinstance(spec, dict):
        logger.warning("kakao.render.button_ignored button=%s", repr(spec)[:200])
        return None
    title = str(spec.get("title") or "").strip()
    payload = spec.get("payload")
    payload = payload.strip() if isinstance(payload, str) else None
    url = spec.get("url") if _is_web_url(spec.get("url")) else (payload if _is_web_url(payload) else None)
    if url:
        return link_button(title or texts.link_label, url)
    phone = spec.get("phone") or (payload[4:] if _is_phone(payload) else None)
    if isinstance(phone, str) and phone.strip():
        number = phone.strip()
        return phone_button(title or texts.phone_label, number[4:] if _is_phone(number) else number)
    if not title and payload and not limits.looks_like_payload(payload):
        title = payload
    if not title or limits.looks_like_payload(title):
        # The resident would "say" a /intent payload: refuse loudly instead.
        logger.warning("kakao.render.button_without_title payload=%s", payload)
        return None
    return message_button(title, payload)


def split_buttons(buttons: Iterable[Button]) -> tuple[list[Button], list[Button]]:
    """(message buttons usable as quick replies, link/phone buttons that need a card)."""
    choices: list[Button] = []
    links: list[Button] = []
    for button in buttons:
        (choices if button.get("action") == "message" else links).append(button)
    return choices, links


# --- text and images -----------------------------------------------------------


def simple_texts(text: str) -> list[Component]:
    return [{"simpleText": {"text": piece}} for piece in split_text(text, limits.MAX_SIMPLE_TEXT)]


def link_cards(description: str, buttons: list[Button], texts: ConnectorTexts) -> list[Component]:
    """textCards carrying link/phone buttons, three per card (Kakao's limit)."""
    cards: list[Component] = []
    for start in range(0, len(buttons), limits.MAX_CARD_BUTTONS):
        text = description if start == 0 else texts.more_links
        cards.append({"textCard": {"description": text, "buttons": buttons[start : start + limits.MAX_CARD_BUTTONS]}})
    return cards


def text_with_links(text: str, buttons: list[Button], texts: ConnectorTexts) -> list[Component]:
    """Text whose last part sits in a textCard with the link buttons under it."""
    pieces = split_text(text, limits.MAX_SIMPLE_TEXT)
    if not pieces:
        return link_cards(texts.more_links, buttons, texts)
    # A textCard holds at most 400 characters; the text before that stays a plain bubble.
    tail = split_text(pieces[-1], limits.MAX_TEXT_CARD_TOTAL)
    head = pieces[:-1] + tail[:-1]
    return [{"simpleText": {"text": piece}} for piece in head] + link_cards(tail[-1], buttons, texts)


def simple_image(url: str, alt: str | None, texts: ConnectorTexts) -> Component:
    return {"simpleImage": {"imageUrl": url.strip(), "altText": shorten(alt or texts.image_alt, limits.MAX_ALT_TEXT)}}


def attachment_outputs(attachment: Any, texts: ConnectorTexts) -> list[Component]:
    url = attachment if isinstance(attachment, str) else None
    if isinstance(attachment, dict):
        url = attachment.get("url") or (attachment.get("payload") or {}).get("src")
    if _is_web_url(url):
        return link_cards(texts.attachment_text, [link_button(texts.attachment_label, url)], texts)
    logger.warning("kakao.render.attachment_ignored attachment=%s", repr(attachment)[:200])
    return []


# --- cards (custom payload convention) -------------------------------------------


def _card(spec: dict[str, Any], texts: ConnectorTexts, in_carousel: bool) -> tuple[str, Component, Rendered]:
    """(kind, card body, what did not fit in the card)."""
    spill = Rendered()
    full_title = str(spec.get("title") or "").strip()
    full_description = str(spec.get("description") or "").strip()
    title = shorten(full_title, limits.MAX_CARD_TITLE) if full_title else ""
    image_url = spec.get("image_url") or spec.get("image")
    kind = "basicCard" if _is_web_url(image_url) else "textCard"
    room = limits.MAX_BASIC_CARD_DESCRIPTION if kind == "basicCard" else limits.MAX_TEXT_CARD_TOTAL - len(title)
    parts = split_text(full_description, room) if full_description else []
    body: Component = {}
    if title:
        body["title"] = title
    if parts:
        body["description"] = parts[0]
    if kind == "basicCard":
        body["thumbnail"] = {"imageUrl": str(image_url).strip()}
    elif not body:
        # A textCard needs some text; the fallback text is better than nothing.
        body["description"] = shorten(str(spec.get("text") or texts.more_links), limits.MAX_TEXT_CARD_TOTAL)

    buttons = [b for b in (to_kakao_button(s, texts) for s in spec.get("buttons") or []) if b]
    body_buttons, extra = buttons[: limits.MAX_CARD_BUTTONS], buttons[limits.MAX_CARD_BUTTONS :]
    if body_buttons:
        body["buttons"] = body_buttons
    choices, links = split_buttons(extra)
    spill.quick_replies.extend(choices)

    # Whatever did not fit follows the card as text; in a carousel we name the card it belongs to.
    rest = "\n".join(parts[1:])
    if title != full_title or (rest and in_carousel):
        rest = f"{full_title}\n{rest}".strip()
    if rest:
        spill.outputs.extend(simple_texts(rest))
    if links:
        spill.outputs.extend(link_cards(texts.more_links, links, texts))
    return kind, body, spill


def card_outputs(spec: dict[str, Any], texts: ConnectorTexts) -> Rendered:
    kind, body, spill = _card(spec, texts, in_carousel=False)
    rendered = Rendered([{kind: body}])
    rendered.extend(spill)
    return rendered


def carousels(kind: str, items: list[Component]) -> list[Component]:
    """Carousel outputs of at most 10 items each; a lone item stays a plain card."""
    if len(items) == 1:
        return [{kind: items[0]}]
    step = limits.MAX_CAROUSEL_ITEMS
    return [{"carousel": {"type": kind, "items": items[i : i + step]}} for i in range(0, len(items), step)]


def cards_outputs(specs: list[dict[str, Any]], texts: ConnectorTexts) -> Rendered:
    """Cards side by side. Kakao carousels hold one card type, so image and
    text-only cards are grouped into consecutive runs of the same type."""
    rendered = Rendered()
    spill = Rendered()
    run_kind, run_items = None, []  # type: Optional[str], List[Component]
    for spec in specs:
        if not isinstance(spec, dict):
            continue
        kind, body, card_spill = _card(spec, texts, in_carousel=True)
        spill.extend(card_spill)
        if kind != run_kind and run_items:
            rendered.outputs.extend(carousels(run_kind, run_items))
            run_items = []
        run_kind = kind
        run_items.append(body)
    if run_items:
        rendered.outputs.extend(carousels(run_kind, run_items))
    rendered.extend(spill)
    return rendered


def _list_item(spec: dict[str, Any], texts: ConnectorTexts) -> Component:
    item: Component = {"title": str(spec.get("title") or "").strip() or texts.list_header}
    if spec.get("description"):
        item["description"] = str(spec["description"]).strip()
    if _is_web_url(spec.get("image_url")):
        item["imageUrl"] = spec["image_url"].strip()
    if _is_web_url(spec.get("url")):
        item["link"] = {"web": spec["url"].strip()}
    elif spec.get("payload"):
        item["action"] = "message"
        item["messageText"] = item["title"]
        item["extra"] = {"payload": str(spec["payload"])}
    return item


def list_outputs(spec: dict[str, Any], texts: ConnectorTexts) -> Rendered:
    """A listCard; more than 5 items become several lists in a listCard carousel."""
    header = spec.get("header")
    header_title = header.get("title") if isinstance(header, dict) else header
    header_title = shorten(str(header_title or texts.list_header), limits.MAX_CARD_TITLE)
    items = [_list_item(i, texts) for i in spec.get("items") or [] if isinstance(i, dict)]
    if not items:
        logger.warning("kakao.render.empty_list")
        return Rendered(simple_texts(header_title))
    buttons = [b for b in (to_kakao_button(s, texts) for s in spec.get("buttons") or []) if b]
    body_buttons, extra = buttons[: limits.MAX_LIST_BUTTONS], buttons[limits.MAX_LIST_BUTTONS :]
    step = limits.MAX_LIST_ITEMS
    bodies = []
    for start in range(0, len(items), step):
        body: Component = {"header": {"title": header_title}, "items": items[start : start + step]}
        if body_buttons:
            body["buttons"] = body_buttons
        bodies.append(body)
    rendered = Rendered(carousels("listCard", bodies))
    choices, links = split_buttons(extra)
    rendered.quick_replies.extend(choices)
    if links:
        rendered.outputs.extend(link_cards(texts.more_links, links, texts))
    return rendered


def custom_outputs(custom: Any, texts: ConnectorTexts) -> Rendered:
    """The shared custom-payload convention (docs/rich-responses.md)."""
    if not isinstance(custom, dict):
        logger.warning("kakao.render.custom_ignored custom=%s", repr(custom)[:200])
        return Rendered()
    rendered = Rendered()
    if isinstance(custom.get("card"), dict):
        rendered.extend(card_outputs(custom["card"], texts))
    if isinstance(custom.get("cards"), list):
        rendered.extend(cards_outputs(custom["cards"], texts))
    if isinstance(custom.get("list"), dict):
        rendered.extend(list_outputs(custom["list"], texts))
    image = custom.get("image")
    if isinstance(image, dict) and _is_web_url(image.get("url")):
        rendered.outputs.append(simple_image(image["url"], image.get("alt"), texts))
    raw = custom.get("kakao")
    if raw:
        # Escape hatch: Kakao output components passed through as they are.
        rendered.outputs.extend(raw if isinstance(raw, list) else [raw])
    if not rendered.outputs and not rendered.quick_replies:
        fallback = custom.get("text")
        if isinstance(fallback, str) and fallback.strip():
            rendered.outputs.extend(simple_texts(fallback))
        else:
            logger.warning("kakao.render.custom_unknown keys=%s", sorted(custom))
    return rendered


# --- one Rasa message ------------------------------------------------------------


def message_outputs(message: dict[str, Any], texts: ConnectorTexts) -> Rendered:
    """Same order as Rasa's OutputChannel.send_response: text+buttons, custom, image, attachment."""
    rendered = Rendered()
    specs = list(message.get("buttons") or []) + list(message.get("quick_replies") or [])
    choices, links = split_buttons(b for b in (to_kakao_button(s, texts) for s in specs) if b)
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        rendered.outputs.extend(text_with_links(text, links, texts) if links else simple_texts(text))
    elif links:
        rendered.outputs.extend(link_cards(texts.more_links, links, texts))
    rendered.quick_replies.extend(choices)
    if message.get("custom") is not None:
        rendered.extend(custom_outputs(message["custom"], texts))
    if isinstance(message.get("image"), str) and message["image"].strip():
        rendered.outputs.append(simple_image(message["image"], message.get("alt_text"), texts))
    if message.get("attachment"):
        rendered.outputs.extend(attachment_outputs(message["attachment"], texts))
    return rendered
