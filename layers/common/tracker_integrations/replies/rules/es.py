"""Spanish phrase cues: interest (POSITIVE) and refusal (NEGATIVE), accent-free and lower case."""

from __future__ import annotations

from tracker_integrations.replies.rules import MEDIUM, STRONG, WEAK, Cue

POSITIVE: tuple[Cue, ...] = (
    Cue(
        "es_play",
        STRONG,
        (
            (
                r"\blo (?:pasaremos|pondremos|vamos a (?:pasar|poner|programar|incluir|radiar)|programamos|"
                r"programaremos|incluimos|incluiremos|ponemos|pasamos|radiamos|sonara)\b"
            ),
        ),
    ),
    Cue(
        "es_rotation",
        STRONG,
        (
            r"\ben antena\b",
            r"\ben (?:la |nuestra )?rotacion\b",
            r"\b(?:a|en) (?:la |nuestra )?(?:playlist|lista|programacion)\b",
        ),
    ),
    Cue(
        "es_would_love",
        STRONG,
        (
            (
                r"\b(?:me|nos) (?:encantaria|gustaria)(?: mucho)? (?:pasarlo|ponerlo|incluirlo|programarlo|"
                r"entrevistar|resenarlo|presentarlo|tenerlo|hablar)"
            ),
        ),
    ),
    Cue(
        "es_send_media",
        STRONG,
        (
            (
                r"\b(?:enviame|mandame|envianos|mandanos|(?:puedes|podrias|puede) (?:enviarme|mandarme|"
                r"enviarnos|mandarnos)) (?:el |los |la |un )?(?:wav|archivos?|mp3|enlace|link|dossier|kit)"
            ),
        ),
    ),
    Cue(
        "es_interested",
        MEDIUM,
        (
            r"\b(?:me|nos) interesa\b",
            r"\binteresad[oa]s?\b",
            r"\bcuenta con (?:nosotros|ello|migo)\b",
        ),
    ),
    Cue(
        "es_praise",
        WEAK,
        (
            r"\b(?:me|nos) (?:encanta|gusta mucho)\b",
            r"\btemazo\b",
            r"\bgran (?:tema|cancion)\b",
            r"\bque buen tema\b",
        ),
    ),
)

NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "es_format",
        STRONG,
        (
            r"\bno (?:nos )?encaja\b",
            r"\bno es (?:para nosotros|lo nuestro|para mi|nuestro estilo)\b",
            r"\bno entra en (?:nuestra|la) (?:linea|programacion|formato)\b",
            r"\bno (?:me|nos) (?:convence|cuadra)\b",
        ),
    ),
    Cue(
        "es_not_interested",
        STRONG,
        (
            r"\bno (?:me|nos) interesa\b",
            r"\bsin interes\b",
        ),
    ),
    Cue(
        "es_decline",
        STRONG,
        (
            (
                r"\bno (?:lo )?(?:podemos|vamos a|lo vamos a|podremos|pasaremos|pondremos|incluiremos) "
                r"?(?:pasar|programar|poner|incluir|radiar)?\b(?! problema)"
            ),
            r"\bvamos a pasar\b",
            r"\bpaso de\b",
            r"\bno gracias\b",
        ),
    ),
    Cue(
        "es_unsubscribe",
        STRONG,
        (
            r"\b(?:darme|dame|denme) de baja\b",
            r"\b(?:quitar|sacar|eliminar|borrar)(?:me)? de (?:la|esta|vuestra|su|tu) lista\b",
            # Imperatives with the pronoun attached: "borradme de esta lista", "quitame de la lista".
            r"\b(?:quita|saca|borra|elimina)(?:d|n)?me de (?:la|esta|vuestra|su|tu|sus|vuestras) (?:lista|base)",
            r"\bno (?:me )?(?:envies|envieis|manden|mandeis) mas\b",
            r"\b(?:elimine|eliminen|eliminad|borre|borren|borrad|suprima|supriman) (?:todos )?(?:mis|nuestros) datos\b",
            r"\b(?:supresion|eliminacion|borrado) de (?:mis|nuestros) datos\b",
            (
                r"\b(?:quitad|quiten|eliminad|eliminen|borrad|borren) (?:mi|nuestra|nuestro) "
                r"(?:direccion|correo|contacto|email)\b"
            ),
        ),
    ),
    Cue(
        "es_unfortunately",
        WEAK + 0.5,
        (
            r"\blamentablemente\b",
            r"\bdesafortunadamente\b",
            r"\bpor desgracia\b",
        ),
    ),
)
