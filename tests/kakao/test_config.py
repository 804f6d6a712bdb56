"""Channel options from credentials.yml and the environment; connector texts."""

import pytest

from connectors.kakao.config import load_config
from connectors.kakao.texts import load_texts


def test_defaults_without_credentials() -> None:
    config = load_config(None, environ={})
    assert not config.checks_secret
    assert config.allowed_bot_ids == frozenset()
    assert config.reply_deadline_seconds == 4.5
    assert config.mapping.photo_params[0] == "secureimage"


def test_credentials_block() -> None:
    config = load_config(
        {
            "secret_header_name": "X-Sotong-Secret",
            "secret_header_value": "s3cret",
            "allowed_bot_ids": "bot-a, bot-b",
            "reply_deadline_seconds": 0.01,
            "max_body_bytes": 2048,
            "photo_params": ["evidence"],
        },
        environ={},
    )
    assert (config.secret_header_name, config.secret_header_value) == ("X-Sotong-Secret", "s3cret")
    assert config.allowed_bot_ids == {"bot-a", "bot-b"}
    assert config.reply_deadline_seconds == 0.01
    assert config.max_body_bytes == 2048
    assert config.mapping.photo_params == ("evidence",)


def test_secret_and_bot_ids_from_environment() -> None:
    config = load_config({}, environ={"KAKAO_SKILL_SECRET": "from-env", "KAKAO_ALLOWED_BOT_IDS": "b1,b2"})
    assert config.secret_header_value == "from-env"
    assert config.allowed_bot_ids == {"b1", "b2"}
    assert load_config({"allowed_bot_ids": ["x"]}, environ={"KAKAO_ALLOWED_BOT_IDS": "b1"}).allowed_bot_ids == {"x"}


def test_typo_in_options_fails_at_start() -> None:
    with pytest.raises(ValueError, match="secret_header_valeu"):
        load_config({"secret_header_valeu": "x"}, environ={})


@pytest.mark.parametrize("deadline", [0, -1, 5, 10])
def test_deadline_must_beat_kakao(deadline: float) -> None:
    with pytest.raises(ValueError):
        load_config({"reply_deadline_seconds": deadline}, environ={})


def test_messages_file_is_complete_and_polite(tmp_path) -> None:
    texts = load_texts()
    assert texts.processing.endswith("요.") and texts.callback_wait.endswith("요.")
    broken = tmp_path / "messages.yml"
    broken.write_text("processing: 처리 중이에요.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing connector texts"):
        load_texts(broken)


def test_one_message_rate_for_every_channel_unless_credentials_override():
    from connectors.kakao.config import load_config

    env = {"SOTONG_MESSAGE_RATE": "5/10", "KAKAO_SKILL_SECRET": "s"}
    config = load_config({}, environ=env, production=False)
    assert (config.rate_limit_messages, config.rate_limit_seconds) == (5, 10)
    config = load_config({"rate_limit_messages": 7}, environ=env, production=False)
    assert config.rate_limit_messages == 7
