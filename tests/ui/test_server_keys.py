"""Where a model server's API key is kept: the secure keyring when there is one, else the
encrypted database; never config.toml, and one copy only."""

from __future__ import annotations

from desktop.storage import config, keyrings
from desktop.storage.keyrings import MemoryKeyring, ServerKeys

URL = "http://gpu-server:8000/v1"


class Store:
    """The encrypted database's private settings, as the conversation store offers them."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def private_setting(self, name: str) -> str | None:
        return self.values.get(name)

    def set_private_setting(self, name: str, value: str) -> None:
        self.values[name] = value


class RefusingKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("locked")


def test_the_key_goes_to_the_keyring_when_there_is_one() -> None:
    ring, store = MemoryKeyring(), Store()
    keys = ServerKeys(store, backend=ring)
    assert keys.get(URL) == ""
    assert keys.set(URL, "k1") == "keyring"
    assert ring.get_password("TermLens", f"server-key:{URL}") == "k1" and not store.values.get(f"server-key:{URL}")
    assert keys.get(URL) == "k1" and keys.get("http://other:8000/v1") == ""
    keys.forget(URL)
    assert keys.get(URL) == "" and ring.entries == {}


def test_without_a_keyring_or_when_it_refuses_the_key_is_kept_in_the_encrypted_store() -> None:
    store = Store()
    assert ServerKeys(store, backend=None).set(URL, "k2") == "database"
    assert store.values[f"server-key:{URL}"] == "k2" and ServerKeys(store, backend=None).get(URL) == "k2"
    refusing = Store()
    assert ServerKeys(refusing, backend=RefusingKeyring()).set(URL, "k3") == "database"
    assert ServerKeys(refusing, backend=RefusingKeyring()).get(URL) == "k3"


def test_moving_to_a_keyring_leaves_one_copy_and_an_empty_key_forgets() -> None:
    store, ring = Store(), MemoryKeyring()
    ServerKeys(store, backend=None).set(URL, "old")
    ServerKeys(store, backend=ring).set(URL, "new")
    assert store.values[f"server-key:{URL}"] == "" and ServerKeys(store, backend=ring).get(URL) == "new"
    ServerKeys(store, backend=ring).set(URL, "")
    assert ServerKeys(store, backend=ring).get(URL) == ""


def test_the_default_backend_is_the_test_keyring_and_settings_never_hold_the_key(termlens_home) -> None:
    keys = ServerKeys(Store())
    assert keys.set(URL, "k4") == "keyring" and keyrings.memory_keyring().get_password("TermLens", f"server-key:{URL}")
    settings = config.Settings(use_server=True, server_url=URL, server_model="qwen")
    config.save(settings)
    text = (termlens_home / "config.toml").read_text(encoding="utf-8")
    assert "k4" not in text and URL in text
    again = config.load()
    assert again.use_server and again.server_url == URL and again.server_model == "qwen"
