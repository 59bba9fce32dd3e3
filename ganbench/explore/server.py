"""Starting the explorer: Gradio without telemetry, on 127.0.0.1 only, never a share link.

Gradio reads ``GRADIO_ANALYTICS_ENABLED`` when it is imported, so :func:`quiet_environment` runs before the
import; Hugging Face Hub is set offline for the same reason (nothing here downloads anything). The page
uses system fonts, so the browser fetches nothing from outside either.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from ganbench.explore.sources import ExploreError

HOST = "127.0.0.1"
OFFLINE_ENVIRONMENT = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                       "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_SSR_MODE": "False"}
SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "sans-serif"]
MONO_FONTS = ["ui-monospace", "monospace"]


def quiet_environment() -> None:
    """No analytics, no hub, no server-side rendering: set before gradio is imported."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ[key] = value


def gradio_available() -> bool:
    from importlib.util import find_spec

    return find_spec("gradio") is not None


def free_port(host: str = HOST) -> int:
    """A port nothing listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def check_port(port: int, host: str = HOST) -> int:
    """``port`` if it can be listened on (0: a free one), else an :class:`ExploreError` saying what to do."""
    if port == 0:
        return free_port(host)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise ExploreError(f"port {port} on {host} is in use (another ganbench explore or app?); pass "
                               "--port N for another one, or --port 0 for any free port") from None
    return port


def launch(app: Any, port: int, block: bool = True) -> str:
    """Serve ``app`` on 127.0.0.1:``port``; returns its URL (with ``block`` False, once it is up)."""
    import gradio as gr

    theme = gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS)
    try:
        _, url, _ = app.launch(server_name=HOST, server_port=port, share=False, inbrowser=False, quiet=True,
                               prevent_thread_lock=not block, theme=theme, ssr_mode=False, mcp_server=False,
                               enable_monitoring=False, show_error=False)
    except OSError as error:  # taken between the check and the start
        raise ExploreError(f"cannot listen on {HOST}:{port}: {error}") from None
    return url
