"""The app on a real PostgreSQL server: the title hides the password; a stopped server raises
the banner, keeps the open form, and the banner goes when the server is back."""

from __future__ import annotations

from store.rules.store import Store
from tests.form_helpers import ADA, SIZE, FormSession, fill_required, screen_text, wait_until
from tests.pg_cluster import Cluster
from tui.app import ProspectsApp
from tui.screens.prospect_form import FormResult

PASSWORD = "s3cret"


def with_password(url: str) -> str:
    """The test cluster's URL with a password in it (the server trusts the socket: any works)."""
    assert url.startswith("postgresql://postgres@")
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


async def test_the_title_shows_the_server_without_its_password(pg_url: str) -> None:
    app = ProspectsApp(db_path=with_password(pg_url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        database = pg_url.split("?")[0].rsplit("/", 1)[1]
        assert app.sub_title.endswith(f"postgres:***@/{database}?…")
        assert PASSWORD not in screen_text(app) and PASSWORD not in app.sub_title


async def test_a_stopped_server_raises_the_banner_and_keeps_the_form(
    pg_cluster: Cluster, pg_url: str,
) -> None:
    seeded = Store(pg_url)
    seeded.add_user(ADA)
    seeded.close()
    app = ProspectsApp(db_path=with_password(pg_url), poll_seconds=0.1)
    try:
        async with app.run_test(size=SIZE) as pilot:
            s = FormSession(app, pilot)
            await s.open()
            await fill_required(s)
            pg_cluster.stop()
            # the list's poll raises it; then it is painted
            await wait_until(pilot, lambda: "once this line is gone" in screen_text(app))
            banner = s.text_of("#banner")
            assert banner.startswith("The database server is not answering; retrying. What "
                                     "you typed stays on screen: save it again once this line "
                                     "is gone.")
            assert "retrying" in screen_text(app) and "once this line is gone" in screen_text(app)
            assert PASSWORD not in banner
            await s.save()
            await s.settle()
            assert s.results == []  # the form stays open, with everything typed
            assert (s.value("#company-name"), s.value("#domain")) == ("Northwind Ltd",
                                                                      "northwind.com")
            assert s.text_of("#form-message").startswith("Not saved:")
            assert PASSWORD not in screen_text(app)
            pg_cluster.start()
            await wait_until(pilot, lambda: not s.text_of("#banner"))  # it reconnected
            await s.save()
            await s.settle()
            assert s.results == [FormResult(1)]
    finally:
        if not _running(pg_cluster):  # the next test needs it
            pg_cluster.start()
    saved = Store(pg_url)
    assert saved.get_prospect(1).company_name == "Northwind Ltd"
    saved.close()


def _running(cluster: Cluster) -> bool:
    return (cluster.data / "postmaster.pid").exists()
