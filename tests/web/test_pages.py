"""The web page in headless Chromium against the discovered lab: review, impact, CI page, roles, escaping.

Each test drives the real page served by uvicorn (see conftest) and checks the outcome in
the page and, for writes, in the store. Screenshots go to $CMDB_SCREENSHOTS (default /tmp).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
from playwright.sync_api import Dialog, Page, expect

from api.auth import Role
from api.changes import CHANGE_KIND
from graph.model import CIStatus, ReviewState
from tests.web.conftest import SCREENSHOTS, Demo
from tests.web.demo import IMG_NAME, SCRIPT_NAME


def login(page: Page, demo: Demo, role: Role) -> None:
    page.goto(f"{demo.url}/")
    page.wait_for_selector("body[data-ready=login]")
    page.fill("#token", demo.tokens[role])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=review]")


def goto(page: Page, demo: Demo, route: str) -> None:
    """Open a hash route (``ci/<uid>``, ``impact``...) and wait until the page has drawn it."""
    page.evaluate("() => { document.body.dataset.ready = '' }")  # no stale mark from the last page
    page.goto(f"{demo.url}/ui/#/{route}")
    page.wait_for_selector(f"body[data-ready={route.split('/')[0].split('?')[0]}]")


def ci_route(uid: str) -> str:
    return "ci/" + quote(uid, safe="")


def row(uid: str, kind: str) -> str:
    return f'tr[data-uid="{uid}"][data-kind="{kind}"]'


def test_config_manager_approves_a_changed_ci(page: Page, demo: Demo) -> None:
    uid = demo.lab.changed_device
    login(page, demo, Role.CONFIG_MANAGER)
    changed = page.locator(row(uid, "changed"))
    expect(changed).to_contain_text("os_version")
    assert demo.store.get_ci(uid).review_state is ReviewState.NEW  # type: ignore[union-attr]

    changed.locator("button[data-action=approved]").click()
    expect(changed.locator("td.state")).to_have_text("approved")
    page.screenshot(path=str(SCREENSHOTS / "cmdb-web-review.png"))

    stored = demo.store.get_ci(uid)
    assert stored is not None
    assert stored.review_state is ReviewState.APPROVED
    assert stored.reviewed_by == demo.name(Role.CONFIG_MANAGER)
    page.reload()
    page.wait_for_selector("body[data-ready=review]")
    expect(page.locator(row(uid, "changed")).locator("td.state")).to_have_text("approved")


def test_review_queue_since_a_run_lists_what_that_run_changed(page: Page, demo: Demo) -> None:
    login(page, demo, Role.VIEWER)
    page.select_option("#filter-run", demo.lab.second_run)
    expect(page.locator(".page-head p")).to_contain_text("Changes since")  # the reloaded queue
    page.wait_for_selector("body[data-ready=review]")
    missing = demo.store.find_cis(status=CIStatus.MISSING).items
    assert missing  # the pulled disk
    expected = {(demo.lab.changed_device, "changed")} | {(ci.uid, "missing") for ci in missing}
    shown = page.locator("table.review-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.uid, r.dataset.kind])"
    )
    assert expected <= {(uid, kind) for uid, kind in shown}
    assert demo.lab.config_device not in {uid for uid, _ in shown}  # unchanged in that run
    page.click("button.tab[data-kind=missing]")
    assert page.locator("table.review-table tbody tr").count() == len(missing)


def test_config_manager_rejects_from_the_ci_page(page: Page, demo: Demo) -> None:
    uid = demo.lab.dual_homed
    login(page, demo, Role.CONFIG_MANAGER)
    goto(page, demo, ci_route(uid))
    page.click("button[data-action=rejected]")
    expect(page.locator("#review-state")).to_have_text("rejected")
    stored = demo.store.get_ci(uid)
    assert stored is not None and stored.review_state is ReviewState.REJECTED


def test_config_manager_merges_two_duplicate_cis(page: Page, demo: Demo) -> None:
    keep, drop = demo.lab.billing_app, demo.lab.billing_duplicate
    login(page, demo, Role.CONFIG_MANAGER)
    goto(page, demo, ci_route(keep))
    page.click("#merge-section summary")
    page.fill("#duplicate-search", "billing")
    page.click(f'#duplicate-results button[data-merge="{drop}"]')
    expect(page.locator("#flash")).to_contain_text("Merged billing-api into billing")

    dropped = demo.store.get_ci(drop)
    assert dropped is not None and dropped.merged_into == keep
    moved = demo.store.relationships(keep, "in", ["DEPENDS_ON"])
    assert [r.source for r in moved] == [
        demo.lab.shop_service
    ]  # the service now needs the kept one


def test_viewer_is_offered_no_write(page: Page, demo: Demo) -> None:
    login(page, demo, Role.VIEWER)
    rows = page.locator("table.review-table tbody tr")
    expect(rows.first).to_be_visible()
    assert page.locator("button[data-action]").count() == 0
    assert page.locator("#merge, table.review-table input[type=checkbox]").count() == 0

    goto(page, demo, ci_route(demo.lab.access_switch))
    assert page.locator("button[data-action], details.edit").count() == 0

    goto(page, demo, f"impact?ci={quote(demo.lab.access_switch, safe='')}&type=reboot")
    page.wait_for_selector("#impact-result")
    assert page.locator("#create-change").count() == 0


def test_managers_are_offered_what_their_role_may_do(page: Page, demo: Demo) -> None:
    """The same pages as the viewer's, where each manager role does see its own actions."""
    login(page, demo, Role.CHANGE_MANAGER)
    assert page.locator("button[data-action]").count() == 0  # review is the config manager's
    goto(page, demo, f"impact?ci={quote(demo.lab.access_switch, safe='')}&type=reboot")
    page.wait_for_selector("#impact-result")
    assert page.locator("#create-change").count() == 1


def test_impact_analysis_draws_outage_and_degraded(page: Page, demo: Demo) -> None:
    lab = demo.lab
    login(page, demo, Role.CHANGE_MANAGER)
    goto(page, demo, "impact")
    switch = demo.store.get_ci(lab.access_switch)
    assert switch is not None
    page.fill("#impact-search", switch.name)
    page.click(f'#impact-results button[data-uid="{lab.access_switch}"]')
    expect(page.locator(f'#picked [data-uid="{lab.access_switch}"]')).to_be_visible()
    page.select_option("#change-type", "reboot")
    page.click("#analyse")
    page.wait_for_selector("#impact-result")

    graph = page.locator("#impact-graph svg")
    expect(graph).to_be_visible()
    node = 'g.g-node[data-uid="{}"]'
    expect(graph.locator(node.format(lab.single_homed))).to_have_attribute("data-state", "OUTAGE")
    expect(graph.locator(node.format(lab.dual_homed))).to_have_attribute("data-state", "DEGRADED")
    expect(graph.locator(node.format(lab.shop_service))).to_have_attribute("data-state", "OUTAGE")
    expect(graph.locator(node.format(lab.intranet_service))).to_have_attribute(
        "data-state", "DEGRADED"
    )
    expect(graph.locator(node.format(lab.access_switch))).to_have_attribute("data-state", "CHANGED")
    outage_fill = graph.locator(node.format(lab.single_homed) + " rect").evaluate(
        "r => getComputedStyle(r).fill"
    )
    degraded_fill = graph.locator(node.format(lab.dual_homed) + " rect").evaluate(
        "r => getComputedStyle(r).fill"
    )
    assert outage_fill != degraded_fill

    shop = page.locator(f'table.services tr[data-uid="{lab.shop_service}"]')
    expect(shop).to_have_attribute("data-state", "OUTAGE")
    expect(shop.locator(".path").first).to_contain_text(switch.name)  # the path from the switch
    page.screenshot(path=str(SCREENSHOTS / "cmdb-web-impact.png"), full_page=True)

    before = demo.store.list_records(CHANGE_KIND).total
    page.fill("#change-description", "Firmware upgrade of the access switch")
    page.click("#create-change")
    expect(page.locator("#change-created")).to_contain_text("created")
    records = demo.store.list_records(CHANGE_KIND, limit=1000).items
    assert len(records) == before + 1
    created = next(
        r for r in records if r.get("description") == "Firmware upgrade of the access switch"
    )
    assert created["cis"] == [lab.access_switch] and created["change_type"] == "reboot"
    assert created["created_by"] == demo.name(Role.CHANGE_MANAGER)


def test_ci_page_shows_neighbourhood_attributes_history_and_config_diff(
    page: Page, demo: Demo
) -> None:
    lab = demo.lab
    login(page, demo, Role.VIEWER)
    goto(page, demo, ci_route(lab.access_switch))
    picture = page.locator("svg#neighbourhood")
    expect(picture).to_be_visible()
    drawn = set(
        picture.locator("g.g-node.c-networkdevice, g.g-node.c-server").evaluate_all(
            "ns => ns.map(n => n.dataset.uid)"
        )
    )
    assert drawn - {lab.access_switch} == set(lab.access_peers)  # the lab's links, as discovered
    expect(page.locator("table.attrs")).to_contain_text("mgmt_ip")
    expect(page.locator("table.attrs .badge.src-snmp").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "cmdb-web-ci.png"), full_page=True)

    goto(page, demo, ci_route(lab.config_device))
    diff = page.locator("pre.diff")
    expect(diff.locator(".line.add", has_text="interface Ethernet9")).to_have_count(1)
    assert "lab-eos-ro" not in diff.inner_text()  # the community was masked before storing
    expect(page.locator("#history li.event").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "cmdb-web-ci-config.png"), full_page=True)


def test_runs_page_lists_runs_with_counts_and_failures(page: Page, demo: Demo) -> None:
    login(page, demo, Role.VIEWER)
    goto(page, demo, "runs")
    rows = page.locator("table.runs-table tbody tr")
    expect(rows).to_have_count(2)
    assert rows.nth(0).get_attribute("data-uid") == demo.lab.second_run  # newest first
    second = demo.store.get_ci(demo.lab.second_run)
    assert second is not None
    counts = json.loads(str(second.attributes["counts"]))
    for reason, n in counts["failed"].items():
        expect(rows.nth(0).locator("li.fail")).to_contain_text(f"{n} {reason}")
    first = demo.store.get_ci(demo.lab.first_run)
    assert first is not None
    created = json.loads(str(first.attributes["counts"]))["changes"]["created"]
    expect(rows.nth(1)).to_contain_text(f"created {created}")
    page.screenshot(path=str(SCREENSHOTS / "cmdb-web-runs.png"), full_page=True)


def test_markup_in_discovered_names_is_shown_as_text(page: Page, demo: Demo) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    login(page, demo, Role.ADMIN)
    for uid, name in ((demo.lab.script_device, SCRIPT_NAME), (demo.lab.img_device, IMG_NAME)):
        goto(page, demo, ci_route(uid))
        expect(page.locator("h1#ci-name")).to_have_text(name)
        expect(page.locator("table.attrs")).to_contain_text(name)
    goto(page, demo, ci_route(demo.lab.access_switch))  # both are neighbours of the switch
    labels = page.locator("svg#neighbourhood text.g-label").all_text_contents()
    assert SCRIPT_NAME in labels
    page.fill("#jump-q", "<")
    expect(page.locator("#jump-results")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "cmdb-web-hostile-names.png"))

    assert dialogs == []
    assert page.locator("script").count() == 1  # only the page's own module
    assert page.locator("img").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onerror]').length") == 0


def test_page_is_served_with_a_strict_content_security_policy(demo: Demo) -> None:
    with httpx.Client(base_url=demo.url) as client:
        root = client.get("/", follow_redirects=False)
        assert root.status_code in (307, 308) and root.headers["location"] == "/ui/"
        for path in ("/ui/", "/ui/app.js", "/ui/style.css"):
            response = client.get(path)
            assert response.status_code == 200
            policy = response.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "default-src 'none'" in policy
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
            assert response.headers["x-content-type-options"] == "nosniff"
        assert client.get("/ui/web.py").status_code == 404
        assert client.get("/ui/..%2Fweb.py").status_code == 404
        assert client.get("/api/me").status_code == 401
        me = client.get("/api/me", headers={"Authorization": f"Bearer {demo.tokens[Role.VIEWER]}"})
        assert me.json() == {
            "name": "web-viewer",
            "role": "viewer",
            "may": {"review": False, "change": False},
        }


def test_a_wrong_token_is_refused_on_the_login_page(page: Page, demo: Demo) -> None:
    page.goto(f"{demo.url}/")
    page.wait_for_selector("body[data-ready=login]")
    page.fill("#token", "cmdb_0000000000000000.not-a-valid-token")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#flash")).to_contain_text("sign in again")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()  # nothing but the sign-in form is offered
    assert page.evaluate("() => sessionStorage.length") == 0
    page.screenshot(path=str(SCREENSHOTS / "cmdb-web-login.png"))


def test_config_manager_authors_a_business_service_and_its_dependencies(
    page: Page, demo: Demo
) -> None:
    login(page, demo, Role.CONFIG_MANAGER)
    goto(page, demo, "services")
    expect(page.locator("table.services-table")).to_contain_text("Web shop")
    page.fill("#service-name", "Payroll")
    page.select_option("#service-criticality", "high")
    page.fill("#service-owner", "hr-it")
    page.click("#service-form button[type=submit]")
    page.wait_for_selector("body[data-ready=ci]")
    expect(page.locator("#ci-name")).to_have_text("Payroll")
    service = demo.store.find_cis("BusinessService", text="payroll").items[0]
    assert service.attributes["criticality"] == "high" and service.attributes["owner"] == "hr-it"

    # A new service depends on nothing yet, so its dependency form is open.
    page.fill("#depends-search", "billing")
    page.click(f'#depends-results button[data-depends="{demo.lab.billing_app}"]')
    expect(page.locator("#flash")).to_contain_text("Payroll depends on billing")
    page.wait_for_selector(f'tr[data-rel="{service.uid} DEPENDS_ON {demo.lab.billing_app}"]')
    needs = demo.store.relationships(service.uid, "out", ["DEPENDS_ON"])
    assert [(r.target, r.manual, r.created_by) for r in needs] == [
        (demo.lab.billing_app, True, demo.name(Role.CONFIG_MANAGER))
    ]

    page.click(f'tr[data-rel="{service.uid} DEPENDS_ON {demo.lab.billing_app}"] button')
    expect(page.locator("#flash")).to_contain_text("Removed DEPENDS_ON billing")
    assert demo.store.relationships(service.uid, "out", ["DEPENDS_ON"]) == []


def test_viewer_sees_services_and_unauthorized_changes_but_no_forms(page: Page, demo: Demo) -> None:
    login(page, demo, Role.VIEWER)
    goto(page, demo, "services")
    expect(page.locator("table.services-table")).to_contain_text("Intranet")
    assert page.locator("#service-form").count() == 0
    goto(page, demo, ci_route(demo.lab.shop_service))
    assert page.locator("#depends-section, button[data-unlink]").count() == 0

    goto(page, demo, "changes")
    table = page.locator("table.unauthorized-table")
    # Run 2 patched a switch's OS and changed a configuration, and no change request covers them.
    expect(table.locator(f'tr[data-uid="{demo.lab.changed_device}"]')).to_contain_text("os_version")
    expect(table.locator(f'tr[data-uid="{demo.lab.config_device}"]')).to_contain_text(
        "configuration"
    )
