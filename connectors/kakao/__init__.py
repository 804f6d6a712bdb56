"""KakaoTalk channel connector: Kakao i Open Builder skill API 2.0 <-> Rasa.

Register it in credentials.yml as ``connectors.kakao.KakaoInput``. The class is
imported lazily so that the simulator and the pure helpers (render, payloads)
can be used without importing Rasa (about a second and 1,800 modules).
"""

from typing import Any

__all__ = ["KakaoInput"]


def __getattr__(name: str) -> Any:
    # Rasa resolves "connectors.kakao.KakaoInput" with getattr(module, name),
    # which reaches this module-level __getattr__ (PEP 562).
    if name == "KakaoInput":
        from connectors.kakao.channel import KakaoInput

        return KakaoInput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
