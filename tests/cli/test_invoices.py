"""`mercato invoice`: an invoice's PDF state, and rendering it again."""

from sqlalchemy import update

from mercato.commerce.invoice_models import Invoice, RenderStatus
from tests.commerce.invoicing import issue


def test_show_and_render_again(mercato, make, session):
    invoice = issue(session, make.provider(name="Acme"), make.user())
    session.commit()
    session.execute(
        update(Invoice).values(status=RenderStatus.FAILED, attempts=60, last_error="OSError: full")
    )
    session.commit()

    shown = mercato("invoice", "show", "acme-2026-000001")
    rendered = mercato("invoice", "render", "acme-2026-000001")
    missing = mercato("invoice", "render", "acme-2026-000002")

    assert shown == (
        0,
        "acme-2026-000001: 18.15 EUR, PDF failed after 60 attempt(s)\nLast error: OSError: full\n",
        "",
    )
    assert rendered == (0, "Invoice acme-2026-000001 will be rendered again.\n", "")
    assert missing[0] == 1 and "Invoice not found" in missing[2]
    session.expire_all()
    again = session.get(Invoice, invoice.id)
    assert (again.status, again.attempts) == (RenderStatus.PENDING, 0)
