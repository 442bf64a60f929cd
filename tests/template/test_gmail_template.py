"""template.yaml declares the Gmail webhook: its function, its open route, its least privilege and settings."""

from __future__ import annotations

from local_stack.template import functions, load_template, routes

FUNCTION = "GmailWebhookFunction"


def test_the_gmail_webhook_is_an_open_route_served_by_its_own_function() -> None:
    served = {(r.method, r.path): r for r in routes()}
    route = served[("POST", "/api/webhooks/gmail")]
    assert route.function == FUNCTION
    assert route.authorized is False  # Pub/Sub has no Tracker token; the function verifies Google's JWT
    assert route.module == "functions.gmail_webhook.app"


def test_the_webhook_can_only_read_the_mapping_and_queue_a_job() -> None:
    statements = [
        s for p in functions()[FUNCTION]["Properties"]["Policies"] if isinstance(p, dict) for s in p["Statement"]
    ]
    actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert actions == {"dynamodb:GetItem", "sqs:SendMessage"}


def test_the_push_settings_reach_every_function() -> None:
    template = load_template()
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    for variable, parameter in [
        ("GMAIL_PUBSUB_TOPIC", "GmailPubSubTopic"),
        ("GMAIL_PUSH_SERVICE_ACCOUNT", "GmailPushServiceAccount"),
        ("GMAIL_PUSH_AUDIENCE", "GmailPushAudience"),
    ]:
        assert env[variable] == {"Ref": parameter}
        assert parameter in template["Parameters"]


def test_the_reply_category_override_route_is_served_by_the_campaigns_function() -> None:
    served = {(r.method, r.path): r for r in routes()}
    route = served[("PUT", "/api/campaigns/{campaign_id}/pitches/{pitch_id}/reply-category")]
    assert (route.function, route.authorized) == ("CampaignsApiFunction", True)
