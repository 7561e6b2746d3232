"""Where the app keeps its files on this machine: the platform's data and config folders."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "msp-prospects"


def data_folder() -> Path:
    """The user's data folder (the default database lives there)."""
    return user_data_path(APP_NAME, appauthor=False)


def config_folder() -> Path:
    """The user's config folder: config.toml (edited by people) and the app's own settings."""
    return user_config_path(APP_NAME, appauthor=False)
