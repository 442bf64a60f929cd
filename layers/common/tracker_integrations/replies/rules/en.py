"""English phrase cues: interest (POSITIVE) and refusal (NEGATIVE), accent-free and lower case."""

from __future__ import annotations

from tracker_integrations.replies.rules import MEDIA, MEDIUM, STRONG, WEAK, Cue

POSITIVE: tuple[Cue, ...] = (
    Cue(
        "en_rotation",
        STRONG,
        (
            (
                r"\b(?:add(?:ed|ing)?|put(?:ting)?|go(?:ing|es)?|slot(?:ted)?) (?:it |this |the track |the "
                r"single |them |him |her )?(?:on|in|into|to) (?:the |our |my |this week'?s )?(?:rotation|"
                r"playlists?|a-?list|b-?list|c-?list|list|schedule)"
            ),
        ),
    ),
    Cue(
        "en_rotation",
        STRONG,
        (
            r"\b(?:in|on|into) (?:heavy |light |medium |high |power )?rotation\b",
            r"\bplaylisted\b",
        ),
    ),
    Cue(
        "en_play",
        STRONG,
        (
            (
                r"\b(?:we'?ll|we will|i'?ll|i will|we'?re|i'?m|we are|i am|going to|gonna|happy to|glad to|"
                r"keen to) (?:definitely |certainly |gladly |be )?(?:play(?:ing)?|spin(?:ning)?|"
                r"support(?:ing)?|add(?:ing)?|feature|featuring|include|including|premiere|premiering|"
                r"review(?:ing)?|cover(?:ing)?|air(?:ing)?) (?:it|this|that|the (?:track|single|song|record|"
                r"ep|album)|them|him|her)\b"
            ),
        ),
    ),
    Cue(
        "en_play",
        STRONG,
        (
            r"\bgive (?:it|this|the track) (?:a |some )?(?:spins?|plays?|airplay)",
            r"\bgiving it (?:some )?spins\b",
            r"\bplayed it (?:on|last|this)\b",
        ),
    ),
    Cue(
        "en_would_love",
        STRONG,
        (
            (
                r"\b(?:i'?d|i would|we'?d|we would) (?:really )?love to (?:play|feature|include|premiere|"
                r"review|cover|interview|have|chat|get|add|support|spin|book|host)"
            ),
        ),
    ),
    Cue(
        "en_send_media",
        STRONG,
        (
            r"\b(?:send|share|forward|pass) (?:me|us|over|along)(?: (?:over|along))? (?:the |a |your |some )?"
            + MEDIA
            + r"",
            r"\b(?:can|could) (?:you|i|we) (?:get|have|grab) (?:the |a )?" + MEDIA + r"",
        ),
    ),
    Cue(
        "en_count_in",
        STRONG,
        (
            r"\bcount (?:me|us) in\b",
            r"\bwe'?re in\b",
            r"\bi'?m in\b",
            r"\byes please\b",
        ),
    ),
    Cue(
        "en_interested",
        MEDIUM,
        (
            r"\b(?:very |really |definitely |super |quite )?interested\b",
            r"\bkeen\b",
        ),
    ),
    Cue(
        "en_slot",
        MEDIUM,
        (
            (
                r"\b(?:on|for) (?:the |my |our )?(?:next|this week'?s?|friday'?s?|saturday'?s?|sunday'?s?|"
                r"monday'?s?|tonight'?s?) (?:show|playlist|episode|programme|program|broadcast|edition)"
            ),
            r"\b(?:interview|session|feature|premiere) slot\b",
        ),
    ),
    Cue(
        "en_praise",
        WEAK,
        (
            (
                r"\b(?:love|loving|loved|really like|dig|digging) (?:this|it|the (?:track|song|single|"
                r"record|tune|ep|album))\b"
            ),
            r"\bgreat (?:track|song|tune|single|record)\b",
            r"\bbanger\b",
            r"\bbig tune\b",
            r"\bsounds (?:great|amazing|fantastic|brilliant)\b",
        ),
    ),
)

NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "en_not_for_us",
        STRONG,
        (
            (
                r"\bnot (?:really |quite |one |something )?(?:for (?:us|me|the show|our (?:show|station|"
                r"listeners|audience|playlist))|(?:right|suitable) for (?:us|me|the show|our \w+)|a (?:good "
                r"|great )?fit|what (?:we'?re|i'?m) looking for|our (?:style|sound|thing|cup of tea)|for "
                r"our (?:listeners|audience|format))\b"
            ),
            r"\b(?:isn'?t|wasn'?t|won'?t be) (?:quite )?(?:for us|right for us|a fit|a good fit)\b",
        ),
    ),
    Cue(
        "en_not_interested",
        STRONG,
        (
            r"\bnot interested\b",
            r"\bno interest\b",
            r"\bnot for me\b",
        ),
    ),
    Cue(
        "en_pass",
        STRONG,
        (
            (
                r"\b(?:pass(?:ing)? on (?:this|it|that|this one)|i'?ll pass|we'?ll pass|going to pass|give "
                r"(?:this|it) (?:one )?a miss|sit this one out|not this time)\b"
            ),
        ),
    ),
    Cue(
        "en_format",
        STRONG,
        (
            (
                r"\b(?:doesn'?t|does not|don'?t|do not|wouldn'?t|won'?t) (?:really |quite )?(?:fit|suit|"
                r"work for|sit with|match) (?:our|the|my)\b"
            ),
            r"\b(?:outside|out of) (?:our|the|my) (?:format|remit|genre|brief)\b",
        ),
    ),
    Cue(
        "en_decline",
        STRONG,
        (
            (
                r"\b(?:won'?t|will not|can'?t|cannot|unable to|not able to|not going to|don'?t|do not) "
                r"(?:be )?(?:play(?:ing)?|add(?:ing)?|support(?:ing)?|feature|featuring|use|using|include|"
                r"including|cover(?:ing)?|review(?:ing)?) (?:it|this|that|the (?:track|single|song|"
                r"record))\b"
            ),
            r"\bno thanks\b",
            r"\bno thank you\b",
            r"\bdecline\b",
        ),
    ),
    Cue(
        "en_unsubscribe",
        STRONG,
        (
            r"\bunsubscribe\b",
            r"\b(?:remove|take) (?:me|us|my (?:e-?mail|address)) (?:off|from)\b",
            r"\bstop (?:sending|emailing)\b",
            r"\b(?:remove|delete) (?:my|our) (?:e-?mail|address|contact)\b",
            r"\bdon'?t (?:send|email) (?:me|us)\b(?! (?:that|this|the|those|these|a|an|it|them)\b)",
            r"\b(?:delete|erase|remove) (?:all )?(?:my|our) (?:personal )?(?:data|details|information)\b",
            r"\bright to (?:erasure|be forgotten)\b",
        ),
    ),
    Cue(
        "en_unfortunately",
        WEAK + 0.5,
        (
            r"\bunfortunately\b",
            r"\bsadly\b",
            r"\bafraid not\b",
        ),
    ),
)
