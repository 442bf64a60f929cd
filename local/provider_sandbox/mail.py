"""Mail the mail system sends, for tests and the demo to deliver into sandbox mailboxes."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid


def delivery_status_report(login: str, recipient: str, *, status: str, action: str, diagnostic: str) -> bytes:
    """A delivery status notification (RFC 3464) as Gmail's mailer daemon sends it: failed (5.x.x) or
    delayed (4.x.x), with the human part, the machine-readable status part and Auto-Submitted."""
    report = EmailMessage()
    report["From"] = "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"
    report["To"] = login
    report["Subject"] = (
        "Delivery Status Notification (Failure)" if action == "failed" else "Delivery Status Notification (Delay)"
    )
    report["Date"] = format_datetime(datetime.now(UTC))
    report["Message-ID"] = make_msgid(domain="googlemail.com")
    report["X-Failed-Recipients"] = recipient
    report["Auto-Submitted"] = "auto-replied"
    report.set_content(f"Your message wasn't delivered to {recipient}.\n\n{diagnostic}\n")
    report.make_mixed()
    status_part = EmailMessage()
    status_part.set_content(
        f"Reporting-MTA: dns; googlemail.com\n\nFinal-Recipient: rfc822; {recipient}\nAction: {action}\n"
        f"Status: {status}\nDiagnostic-Code: smtp; {diagnostic}\n"
    )
    report.attach(status_part)
    # email builds multipart/mixed; mail delivery software sends multipart/report, which classifiers read.
    return report.as_bytes().replace(b"multipart/mixed", b"multipart/report; report-type=delivery-status", 1)
