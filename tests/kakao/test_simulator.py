"""The developer simulator: screen drawing, and a session against the real channel."""

import asyncio
import io
import subprocess
import sys

from connectors.kakao.channel import KakaoInput
from connectors.kakao.config import load_config
from connectors.kakao.render import render_response
from connectors.kakao.screen import draw
from connectors.kakao.simulator import CallbackReceiver, Simulator
from tests.kakao.kakao_testkit import Dialogue, loopback_callback_env, serve_channel

PHOTO = "https://talk.kakaocdn.net/dna/sim/trash.jpg?credential=s"


def test_screen_numbers_every_tappable_button(texts) -> None:
    response = render_response(
        [
            {"text": "판매소를 찾았어요.", "buttons": [{"title": "다른 동 찾기", "payload": "/ask_vendor"}]},
            {
                "custom": {
                    "card": {
                        "title": "청라마트",
                        "description": "청라동 1-1",
                        "image_url": "https://example.org/m.png",
                        "buttons": [
                            {"title": "지도", "url": "https://map.kakao.com"},
                            {"title": "여기로 할게요", "payload": "/pick"},
                        ],
                    }
                }
            },
        ],
        texts,
    )
    lines, choices = draw(response)
    screen = "\n".join(lines)
    assert "판매소를 찾았어요." in screen and "청라마트" in screen and "https://map.kakao.com" in screen
    assert [c["messageText"] for c in choices] == ["여기로 할게요", "다른 동 찾기"]
    assert "[1] ( 여기로 할게요 )" in screen and "[2] 다른 동 찾기" in screen
    assert "invalid" not in screen


def test_screen_flags_invalid_responses() -> None:
    lines, _ = draw({"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "가" * 1001}}]}})
    assert "invalid for Kakao" in lines[-1]


def test_simulator_does_not_import_rasa() -> None:
    code = "import sys, connectors.kakao.simulator; sys.exit(any(m == 'rasa' or m.startswith('rasa.') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


async def test_a_session_through_the_real_channel() -> None:
    dialogue = Dialogue(buttons=[{"title": "무단투기 신고하기", "payload": "/report_dumping"}])
    kakao = KakaoInput(load_config({}, environ={}))
    out = io.StringIO()
    async with serve_channel(kakao, dialogue) as url:
        with CallbackReceiver() as receiver:
            simulator = Simulator(url, "sim-user", receiver=receiver, out=out)

            def session() -> None:
                for line in ["안녕하세요", "1", f"/photo {PHOTO}", "/location 인천 서구 가정로 1"]:
                    assert simulator.command(line)
                # the slow path: the answer arrives on the loopback callback receiver
                kakao.config = load_config(
                    {"reply_deadline_seconds": 0.01}, environ=loopback_callback_env(receiver.port)
                )
                dialogue.delay = 0.2
                simulator.command("느린 질문")
                assert not simulator.command("/quit")

            await asyncio.to_thread(session)
            await kakao.drain(5)
    assert dialogue.texts == [
        "안녕하세요",
        "/report_dumping",
        '/inform{"photo_url": "%s"}' % PHOTO,
        '/inform{"address": "인천 서구 가정로 1"}',
        "느린 질문",
    ]
    screen = out.getvalue()
    assert "나: 무단투기 신고하기" in screen  # the tap shows natural words
    assert "[1] 무단투기 신고하기" in screen
    assert "↩ callback:" in screen and "echo: 느린 질문" in screen
