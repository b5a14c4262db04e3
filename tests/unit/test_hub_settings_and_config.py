"""The room server's settings and the JupyterHub configuration made from them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from traitlets.config import Config

from fedlearn_kit.hub import config, settings
from fedlearn_kit.hub.settings import RoomSettings


def room(tmp_path: Path, **changes: object) -> RoomSettings:
    values = {"workdir": str(tmp_path / "room"), "course": "/srv/course",
              "python": "/srv/course/.venv/bin/python", "port": 8443, "hub_port": 41001,
              "proxy_api_port": 41002, "cert": "/c.crt", "key": "/c.key", **changes}
    return RoomSettings(**values)  # type: ignore[arg-type]


def test_passwords_meet_jupyterhubs_minimums_and_are_easy_to_read_aloud() -> None:
    passwords = {settings.room_password() for _ in range(50)}
    assert len(passwords) == 50  # random, not one fixed password
    for password in passwords:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
        assert len(password) >= 8 and not set(password) & set("01ilo")
    assert len(settings.admin_password()) >= 32


def test_settings_are_saved_for_root_only_and_read_back(tmp_path: Path) -> None:
    saved = room(tmp_path)
    path = saved.save()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(saved.private.stat().st_mode & 0o777) == "0o700"
    assert settings.load(saved.workdir) == saved
    assert saved.url == "https://127.0.0.1:8443/"
    assert room(tmp_path, port=443, address="kurs.region.se").url == "https://kurs.region.se/"


def test_no_room_in_a_folder_says_how_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="fedlearn-kit hub up"):
        settings.load(tmp_path)


def configured(tmp_path: Path, **changes: object) -> Config:
    c = Config()
    config.configure(c, room(tmp_path, **changes))
    return c


def test_the_hub_listens_on_one_https_port_and_keeps_its_apis_on_loopback(tmp_path) -> None:
    c = configured(tmp_path)
    assert c.JupyterHub.bind_url == "https://0.0.0.0:8443"
    assert (c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key) == ("/c.crt", "/c.key")
    assert c.JupyterHub.hub_ip == "127.0.0.1" and c.JupyterHub.hub_port == 41001
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:41002"
    assert str(tmp_path) in c.JupyterHub.db_url  # the room's own database, in private/


def test_nobody_can_open_a_participants_server_except_scripts_with_automation(tmp_path) -> None:
    roles = {r["name"]: r for r in configured(tmp_path).JupyterHub.load_roles}
    assert roles["facilitator"]["users"] == ["facilitator"]
    assert "admin-ui" in roles["facilitator"]["scopes"]
    assert "delete:users" in roles["facilitator"]["scopes"]  # release a name
    for role in roles.values():
        assert "access:servers" not in role["scopes"], role["name"]
        assert "admin:users" not in role["scopes"], role["name"]
    c = configured(tmp_path)
    assert not c.RoomAuthenticator.get("admin_users") and not c.RoomAuthenticator.get(
        "admin_password"), "a JupyterHub admin could open every participant's server"
    automated = {r["name"]: r for r in configured(tmp_path, automation=True).JupyterHub.load_roles}
    assert "access:servers" in automated[config.SERVICE]["scopes"]


def test_participants_get_the_kits_lab_its_commands_and_stay_offline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEDLEARN_NET_AUDIT", "/tmp/audit.log")
    c = configured(tmp_path, mem_limit_gib=2.5, idle_timeout_s=1800)
    assert c.Spawner.cmd == ["/srv/course/.venv/bin/jupyterhub-singleuser"]
    assert "--LabApp.extension_manager=readonly" in c.Spawner.args  # no PyPI search
    assert c.Spawner.environment["PATH"].startswith("/srv/course/.venv/bin:")
    assert c.Spawner.default_url.endswith("fedlearn-kit/notebooks/00_start_here.ipynb")
    assert c.Spawner.mem_limit == int(2.5 * 2**30)
    culler = next(s for s in c.JupyterHub.services if s["name"] == config.CULLER)
    assert "--timeout=1800" in culler["command"]
    assert culler["environment"]["FEDLEARN_NET_AUDIT"] == "/tmp/audit.log"  # audited too
    assert "FEDLEARN_NET_AUDIT" in c.Spawner.env_keep
    assert c.RoomAuthenticator.user_password != c.RoomAuthenticator.facilitator_password
    assert re.fullmatch(c.RoomAuthenticator.username_pattern, "anna")
    assert not re.fullmatch(c.RoomAuthenticator.username_pattern, "Root; rm")


def test_the_config_file_only_points_at_room_json(tmp_path: Path) -> None:
    saved = room(tmp_path)
    saved.save()
    path = config.write_config_file(saved)
    loaded: list[str] = []
    namespace: dict[str, object] = {"c": Config(), "load_subconfig": loaded.append}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # as JupyterHub loads it
    assert namespace["c"].JupyterHub.hub_port == 41001  # type: ignore[attr-defined]
    assert loaded == []  # no region_config.py: only the kit's settings
    (saved.root / config.REGION_CONFIG).write_text("c.JupyterHub.authenticator_class = 'x'\n")
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    assert loaded == [str(saved.root / config.REGION_CONFIG)]
    assert json.loads((saved.private / "room.json").read_text())["hub_port"] == 41001
