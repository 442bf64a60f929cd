"""Portuguese phrase cues: interest (POSITIVE) and refusal (NEGATIVE), accent-free and lower case."""

from __future__ import annotations

from tracker_integrations.replies.rules import MEDIUM, STRONG, WEAK, Cue

POSITIVE: tuple[Cue, ...] = (
    Cue(
        "pt_play",
        STRONG,
        (
            (
                r"\b(?:vamos|vou|iremos|irei) (?:tocar|incluir|colocar|por|passar|programar|divulgar|tocar "
                r"a faixa)\b"
            ),
        ),
    ),
    Cue(
        "pt_rotation",
        STRONG,
        (r"\b(?:em|na|para a|na nossa) (?:rotacao|playlist|programacao)\b",),
    ),
    Cue(
        "pt_would_love",
        STRONG,
        (
            (
                r"\b(?:adoraria|adorariamos|gostaria muito de|gostariamos muito de|gostariamos de) (?:tocar|"
                r"entrevistar|divulgar|incluir|resenhar|receber|apresentar)"
            ),
        ),
    ),
    Cue(
        "pt_send_media",
        STRONG,
        (
            (
                r"\b(?:envia|manda|envie|mande|enviar|mandar)(?:-me|-nos| me| nos| pra mim| para mim)? (?:o "
                r"|os |a |um )?(?:wav|arquivos?|ficheiros?|mp3|link|press ?kit|release)"
            ),
        ),
    ),
    Cue(
        "pt_interested",
        MEDIUM,
        (
            r"\b(?:tenho|temos) interesse\b",
            r"\b(?:me|nos) interessa\b",
            r"\binteressad[oa]s?\b",
        ),
    ),
    Cue(
        "pt_praise",
        WEAK,
        (
            r"\badorei\b",
            r"\bgostei muito\b",
            r"\bcurti (?:muito|demais)\b",
            r"\bque som\b",
            r"\bmusica linda\b",
        ),
    ),
)

NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "pt_format",
        STRONG,
        (
            r"\bnao se encaixa\b",
            r"\bnao (?:e|eh) (?:para nos|para mim|o nosso (?:estilo|perfil|formato))\b",
            r"\bnao combina com\b",
            r"\bfora do (?:nosso )?(?:perfil|formato)\b",
        ),
    ),
    Cue(
        "pt_not_interested",
        STRONG,
        (
            r"\bnao (?:me|nos) interessa\b",
            r"\bsem interesse\b",
            r"\bnao (?:tenho|temos) interesse\b",
        ),
    ),
    Cue(
        "pt_decline",
        STRONG,
        (
            (
                r"\bnao (?:vamos|podemos|vou|iremos|poderemos) (?:tocar|incluir|usar|passar|divulgar|"
                r"colocar)\b"
            ),
            r"\bvamos passar (?:desta|dessa) vez\b",
            r"\bnao,? obrigad[oa]\b",
        ),
    ),
    Cue(
        "pt_unsubscribe",
        STRONG,
        (
            r"\bdescadastr\w*",
            r"\b(?:remover|tirar|retirar)(?:-me)? da (?:lista|mailing)\b",
            r"\bme (?:remova|remove|tire)\b",
            r"\bremova-me\b",
            r"\b(?:apag|elimin|remov|exclu)\w* (?:todos )?(?:os )?(?:meus|nossos) dados\b",
            r"\b(?:removam|tirem|retirem)-me\b",
            r"\bpar(?:a|e|em) de (?:me |nos )?(?:enviar|mandar)\b",
            r"\b(?:removam|remova|tirem|retirem|apaguem) (?:o )?(?:meu|nosso) (?:endereco|e-?mail|contato|contacto)\b",
        ),
    ),
    Cue(
        "pt_unfortunately",
        WEAK + 0.5,
        (r"\binfelizmente\b",),
    ),
)
