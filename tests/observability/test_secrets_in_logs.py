"""Secrets stay out of logs and answers: the signing secret, the SMTP password, a Canvas token,
and bearer tokens, through failures that log (SMTP refusing, Canvas failing, bad tokens)."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import httpx
import pytest

from service.app import create_app
from service.cohorts.models import Cohort
from service.lms import services as lms
from service.mail import services as mail
from service.partners.models import Partner
from service.settings import Settings
from tests.support.certificates_world import make_certificates_world
from tests.support.clock import MovableClock
from tests.support.fake_canvas import FakeCanvas
from tests.support.graphql_client import TEST_SECRET, token_for
from tests.support.live_server import serving
from tests.support.smtp_server import free_port

SMTP_PASSWORD = "smtp-password-never-logged"
CANVAS_TOKEN = "canvas-token-never-logged"


async def test_failures_log_no_secret(
    settings: Settings, clock: MovableClock, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CANVAS_TOKEN_FOR_LOGS", CANVAS_TOKEN)
    smtp_url = f"smtp://portal:{SMTP_PASSWORD}@127.0.0.1:{free_port()}"  # nothing listens there
    configured = settings.model_copy(update={"smtp_url": smtp_url, "sweep_seconds": 3600})
    application = create_app(configured, clock=clock)
    canvas = FakeCanvas(token="another-token", failing={"1"})
    async with application.router.lifespan_context(application), serving(canvas.app()) as canvas_url:
        world = await make_certificates_world()
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
            token = token_for(world.admin)
            bad = await http.post(
                "/graphql",
                json={"query": "{ viewer { email } }"},
                headers={"Authorization": f"Bearer {token}x"},
            )
        # mail that cannot be delivered (the SMTP server is down)
        letter = EmailMessage()
        letter["From"], letter["To"], letter["Subject"] = "r@example.org", "a@example.org", "Hello"
        letter.set_content("Hello")
        queued = await mail.add_to_outbox(key="secrets-test", message=letter, now=clock.now())
        assert queued is not None
        with pytest.raises(OSError):
            await mail.deliver(message_id=queued.id, smtp_url=smtp_url, now=clock.now())
        # a Canvas sync that fails (a refused token, a failing course)
        await Partner.filter(id=world.partner.id).update(
            canvas_base_url=canvas_url, canvas_token_variable="CANVAS_TOKEN_FOR_LOGS"
        )
        await Cohort.filter(id=world.online_cohort.id).update(lms_course_id="1")
        run = await lms.command_run(partner_slug=world.partner.slug, now=clock.now())
        finished = await lms.run_sync(run_id=run.id, clock=clock.now, access=lms.CanvasAccess(pause=0.001))

    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert finished is not None and finished.courses_failed == 1
    logged = caplog.text + bad.text + str(finished.errors)
    assert "not delivered" in caplog.text  # the failures were logged
    for secret in (TEST_SECRET, SMTP_PASSWORD, CANVAS_TOKEN, token):
        assert secret not in logged
