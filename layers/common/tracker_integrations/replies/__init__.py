"""E-mail reply classification: bounce, auto-reply, interested, not interested or a plain reply.

Pure Python over the stdlib ``email`` package; no network. Use :func:`classify_raw` on the raw bytes
of a message (Gmail's ``format=raw``, base64url-decoded).
"""

from __future__ import annotations

from tracker_integrations.replies.classifier import classify_raw
from tracker_integrations.replies.model import BounceType, ReplyCategory, ReplyClassification

__all__ = ["BounceType", "ReplyCategory", "ReplyClassification", "classify_raw"]
