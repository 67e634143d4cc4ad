"""The ``smtp`` fixture is a real SMTP server: Django's SMTP backend delivers to it over TCP."""

from __future__ import annotations

from django.core.mail import send_mail


def test_mail_goes_through_a_real_smtp_server(smtp, settings):
    assert settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")
    sent = send_mail("Hello", "Body <b>text</b>", "accord@example.test", ["rep@example.test"])
    assert sent == 1
    [msg] = smtp.to("rep@example.test")
    assert msg["Subject"] == "Hello"
    assert smtp.body(msg).strip() == "Body <b>text</b>"
    assert smtp.to("nobody@example.test") == []
