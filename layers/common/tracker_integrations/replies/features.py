"""Text features for the intent model: words, word pairs, negation scopes and character n-grams.

One function turns a reply's own text (quotes and signature already removed) into a bag of feature
names; training (``bench/train_intent.py``) and inference use this same function, so a model file
always matches the code that reads it. Pure Python and stdlib only.

- ``w:`` words of the accent-folded, lower-case text;
- ``q:`` words of a sentence that ends with a question mark, in place of their ``w:`` and ``c:``
  features: "is there a radio edit?" asks, it does not say yes, whatever words it shares with a yes
  ("the radio edit is on the playlist"); across the blind-written sets, questions that only ask were
  the commonest confident miss;
- ``b:`` adjacent word pairs ("not bad", "pas pour", "leider nicht");
- ``n:`` words inside a negation's scope (up to three words after not / pas / nicht / no / niet ...,
  stopped by punctuation), in place of their ``w:`` and ``c:`` features, so "not interested" and
  "interested" are different evidence;
- ``a:`` words after a contrast ("but", "mais", "aber", "pero", "ma", "mas", "maar" ...) up to the
  sentence's end: in "not my usual style but I'm playing it" the words after "but" carry the answer;
- ``c:`` character 3- to 5-grams inside words (with boundary marks), which carry inflections,
  compounds and spelling variants ("interessiert", "interessante", "interesse") across languages. They
  weigh ``CHAR_NGRAM_WEIGHT`` each: there are many of them per word, and at full weight they learn one
  author's vocabulary; the leave-one-author-out check chose the weight;
- ``len:`` a coarse length bucket: one-line answers and long letters read differently;
- ``m:`` markers shared across the seven languages, so that what one language's replies teach the model
  carries over to the others' rarer wordings: regret ("sorry", "leider", "malheureusement",
  "lamentablemente", "purtroppo", "infelizmente", "helaas"), a clause opened by a condition ("if you
  have a radio edit...", "wenn", "si", "se", "als"), and questions (the reply ends with one, is only
  questions, or opens a sentence with an interrogative word), a date (a month's name or "22/12",
  "24.12.", "6-1") and words of absence or closure ("holidays", "feestdagen", "chiusa", "fechada",
  "not monitored" ...), which out-of-office notices share whatever their exact wording; a forward to a
  colleague ("cc", "in copia", "weiterleiten", "doorsturen", "colleague" ..., and a name that the reply
  mentions and then addresses: "Passo à Rita ... Rita, vê tu");
- ``x:`` negation by what it negates: a negation in a clause with a word of taking the track ("play",
  "spielen", "incluir", "draaien" ...: ``x:neg_take``, a refusal, wherever the negator stands, so the
  German and Dutch "wir nehmen ihn nicht" count), with a word of fault ("bad", "schlecht", "mal",
  "probleem", "meckern" ...: ``x:neg_fault``, litotes, a yes), or a second negation close after the
  first ("can't say no", "je ne dis pas non": ``x:double_neg``); and those words un-negated
  (``x:take``, ``x:fault``); and which way a contrast turns: from a negation to none ("didn't expect
  much, but it won me over": ``x:contrast_to_yes``) or from none to a negation ("great song, but it
  won't fit": ``x:contrast_to_no``);
- ``x:decided_against``: a decision against the track ("uns dagegen entschieden", "deciso di non");
  ``m:opens_yes`` / ``m:opens_no``: the reply's first clause is a bare yes or no ("Oui, je prends.",
  "Nein, danke. Tagsüber spielen wir ..."); ``m:closes_no``: it ends with a short clause that says no
  ("Dus nee.", "Per noi no."); ``m:opens_question``: the first sentence past a greeting is a question
  (a reply that asks first is seldom a yes: the yes comes first in "Great, added! Wav?");
- ``m:thanks_only``: a short thank-you with no negation, question or word of taking the track, which
  is neither a yes nor a no;
- ``m:problem`` (a password, link or file that does not work), ``m:call_me`` (call me, a phone
  number), ``m:new_address`` (a new address, an office moving) and ``m:mailbox_closed`` (this
  address is no longer read): replies about the delivery or the contact, not a verdict on the track.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable

from tracker_integrations.replies.dates import DAY_AND_MONTH, MONTH_WORDS, fold

MAX_CHARS = 2000
# Word and n-gram features beyond this many are scaled down (see text_features).
LEXICAL_REFERENCE = 150
CHAR_NGRAM_SIZES = (3, 4, 5)
CHAR_NGRAM_WEIGHT = 0.125
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")
_CLAUSE_END = re.compile(r"[.;:!?,\n]")
# Negators in the seven languages, accent-folded. "n't" arrives as part of a token ("don't").
_NEGATORS = frozenset(
    (
        *("not", "no", "never", "nor", "nothing", "none", "cannot"),
        *("pas", "ne", "jamais", "rien", "aucun", "aucune", "non"),
        *("nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals"),
        *("nunca", "nada", "ni", "ningun", "ninguna", "tampoco"),
        *("nessun", "nessuna", "niente", "nemmeno"),  # Italian "mai" would also be French "May"
        *("nao", "nem", "nenhum", "nenhuma"),
        *("niet", "geen", "nooit", "niets"),
    )
)
_SCOPE = 3
_CONTRASTS = frozenset(
    (
        *("but", "however", "though", "although", "still"),
        *("mais", "cependant", "pourtant", "toutefois"),
        *("aber", "doch", "jedoch", "allerdings", "trotzdem"),
        *("pero", "aunque", "embargo"),
        *("ma", "tuttavia", "invece"),  # "però" folds to the Spanish "pero"
        *("mas", "porem", "contudo", "todavia"),
        *("maar", "toch", "echter", "wel"),
    )
)
_SENTENCE_END = re.compile(r"[.;!?\n]")

# Regret and apology, accent-folded: single words, and word pairs (as "first_second").
_REGRET = frozenset(
    (
        *("sorry", "unfortunately", "regret", "regretfully", "apologies", "afraid", "sadly"),
        *("malheureusement", "desole", "desolee", "helas", "dommage", "regrette", "navre", "navree"),
        *("leider", "bedauerlicherweise", "bedauern", "schade", "entschuldigung", "bedaure"),
        *("lamentablemente", "desafortunadamente", "siento", "sentimos", "lastima", "perdona", "disculpa"),
        *("purtroppo", "spiacente", "spiacenti", "dispiace", "peccato", "sfortunatamente"),
        *("infelizmente", "lamento", "lamentamos", "desculpa", "desculpe", "pena"),
        *("helaas", "jammer", "spijt", "excuses"),
    )
)
_REGRET_PHRASE = re.compile(r"\b(?:lo siento|mi dispiace|que pena|het spijt|foi mal)\b")
# Words that open a condition. "si", "se" and "als" are also "yes", a pronoun and "as": they count only
# as the first word of a clause of at least three words ("si tu as une version radio, ...").
_CONDITIONS = frozenset(
    ("if", "unless", "provided", "wenn", "falls", "sofern", "si", "se", "caso", "qualora", "als", "mits", "indien")
)
_INTERROGATIVES = frozenset(
    (
        *("when", "what", "where", "who", "which", "how", "why", "is", "are", "do", "does", "did", "can", "could"),
        *("would", "any", "have", "has", "will"),
        *("quand", "ou", "qui", "quel", "quelle", "quels", "comment", "pourquoi", "est", "avez", "as", "peux"),
        *("pourriez", "pouvez", "combien", "y"),
        *("wann", "wo", "wer", "was", "wie", "welche", "welcher", "warum", "gibt", "gibts", "gibt's", "habt"),
        *("hast", "haben", "kannst", "konnt", "konnen", "ist", "sind", "kommt"),
        *("cuando", "donde", "quien", "cual", "como", "que", "hay", "tienes", "teneis", "tiene", "puedes"),
        *("podrias", "podeis", "cuanto", "por"),
        *("quando", "dove", "chi", "quale", "come", "cosa", "c'e", "hai", "avete", "puoi", "potresti", "perche"),
        *("onde", "quem", "qual", "ha", "tens", "tem", "podes", "pode", "porque"),
        *("wanneer", "waar", "wie", "welke", "hoe", "wat", "heb", "hebben", "kun", "kan", "kunnen", "zijn"),
    )
)
# Word beginnings of taking a track on (playing, adding, including, liking it, fitting): negated, a refusal.
_TAKE = (
    *("play", "add", "includ", "spin", "featur", "rotat", "playlist", "interest", "fit", "suit", "like"),
    *("love", "work", "air", "review", "program", "schedul", "take", "use"),
    *("jou", "pass", "ajout", "inclu", "integr", "retenu", "reten", "prend", "diffus", "coll", "convien"),
    *("correspond", "plai", "aim", "selection"),
    *("spiel", "nehm", "genomm", "aufnehm", "aufgenomm", "interess", "gefall", "gefael", "bring", "send"),
    *("uberzeug", "ueberzeug", "geeignet", "kommt", "lauf", "einsetz", "einbau"),
    *("pon", "pinch", "emit", "encaj", "conven", "gust", "suen", "sum", "agreg", "anad"),
    *("entr", "convenc", "apost"),
    *("suon", "mett", "inser", "adatt", "piac", "trasmett", "andr"),
    *("toc", "encaix", "gost", "adicion", "aposta"),
    *("draai", "speel", "spel", "zet", "opnem", "opgenom", "toevoeg", "past", "pas", "bevall", "sprek"),
    *("overtuig", "geschikt", "neem", "nemen"),
    *("sirv", "serve"),  # "no me sirve", "não serve", "non ci serve"
)
# Words of fault: negated, praise by litotes ("not bad", "nicht schlecht", "pas mal", "niet mis").
_FAULT = frozenset(
    (
        *("bad", "wrong", "problem", "problems", "doubt", "complain", "complaints", "hesitate", "issue"),
        *("worries", "worse", "shabby", "half", "brainer"),
        *("mal", "mauvais", "probleme", "souci", "soucis", "doute", "hesiter", "hesite", "rater"),
        *("schlecht", "meckern", "zweifel", "frage", "verkehrt", "ubel", "uebel"),
        *("malo", "mala", "problema", "duda", "dudas", "pega", "pegas"),
        *("male", "brutto", "dubbio", "dubbi", "problemi", "discutere"),
        *("mau", "ma", "duvida", "duvidas"),
        *("slecht", "probleem", "twijfel", "verkeerd", "mis", "gek"),
        # Stopping: "can't stop listening", "não consigo parar de ouvir", "kann nicht aufhören"
        *("stop", "stopping", "parar", "arreter", "aufhoren", "smettere", "ophouden", "stoppen"),
        # Resisting and objecting: "I can't resist", "no me puedo resistir", "nichts dagegen", "rien contre"
        *("resist", "resister", "resistir", "resistere", "widerstehen", "weerstaan"),
        *("objection", "objections", "bezwaar", "einwand", "einwande", "einwaende", "obiezione", "obiezioni"),
        *("objecion", "objeciones", "objecao", "objecoes", "dagegen", "contre", "contra", "contro", "tegen"),
    )
)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[./-]\d{1,2}\b")
# Word beginnings of absence and closure.
_ABSENCE = (
    *("holiday", "christmas", "vacation", "leave", "closed", "monitored", "checked", "away", "return", "annual"),
    *("fete", "vacance", "conge", "ferme", "relev", "consult", "absen", "retour", "noel", "reprise"),
    *("feiertag", "weihnacht", "urlaub", "elternzeit", "geschlossen", "gelesen", "abwesen", "ruckkehr"),
    *("fiesta", "navidad", "vacacion", "cerrad", "revisa", "ausen", "vuelta", "regreso", "baja"),
    *("fest", "natale", "ferie", "chius", "letta", "assen", "rientr", "congedo", "malattia"),
    *("festa", "natal", "feria", "fechad", "lida", "regresso", "licenca"),
    *("feestdag", "kerst", "vakantie", "verlof", "geslot", "gelezen", "afwezig", "terugkomst"),
)
# Word beginnings of passing a message on to someone else.
_FORWARD = (
    *("cc", "forward", "fwd", "copy", "copied", "colleague"),
    *("copie", "transmet", "transfer", "collegue"),
    *("weiterleit", "weitergeleit", "kolleg", "weitergeb", "weitergegeb"),
    *("copia", "reenvi", "colega", "companer"),
    *("inoltr", "giro", "girato", "collega"),
    *("encaminh", "reencaminh"),
    *("doorgestuurd", "doorsturen", "doorgeven", "doorgegeven", "doorgezet"),
)
_FORWARD_PHRASE = re.compile(
    r"\b(?:pass(?:ing|ed)? (?:it |this |them )?(?:on )?to|passo (?:a|ao|a la|al)|passei (?:a|ao)|paso (?:a|al)|"
    r"se lo paso|lo giro|giro a|geef (?:hem|het|'m) door|stuur (?:het|hem|'m) door|je transmets|fais suivre|"
    r"(?:leite|gebe) (?:es|ihn|das|sie) (?:an|weiter)|faccio sentire a|lo faccio sentire)\b"
)
_THANKS = ("thank", "cheers", "merci", "dank", "gracias", "grazie", "obrigad", "valeu")
_VOCATIVE = re.compile(r"(?:^|[.!?]\s+|\n)([A-Z][a-z\u00e0-\u00ff]+),\s")
_DOUBLE_SCOPE = 4
_LITOTES_REACH = 3
# The word "no" itself: negated, a yes ("can't say no", "je ne dis pas non", "geen nee", "nicht nein").
_NO_WORDS = frozenset(("no", "non", "nao", "nee", "nein"))
_SAY = ("say", "said", "dire", "dis", "decir", "dig", "dic", "dizer", "zeg", "sag")
# "No longer" (the contact has moved on: a reply, not a refusal), and "this time" (a refusal of this one).
_NO_LONGER = re.compile(
    r"\b(?:no longer|not any ?more|ne \w+ plus|n'\w+ plus|plus en charge|nicht mehr|kein\w* mehr|ya no|"
    r"non \w+ piu|non (?:mi|ci) \w+ piu|ja nao|nao \w+ mais|niet meer|geen \w+ meer)\b"
)
_THIS_TIME = re.compile(
    r"\b(?:this time|this one|cette fois|celui-ci|diesmal|dieses mal|esta vez|stavolta|questa volta|desta vez|"
    r"deze keer|dit keer|dit keer)\b"
)
# "Next time" and "send the next one": this one is declined, the door stays open ("Une autre fois",
# "Fica pra próxima", "Mándame lo próximo", "schick mir die nächste", "stuur de volgende maar").
_NEXT_TIME = re.compile(
    r"\b(?:next time|another time|next one|une autre fois|la prochaine(?: fois)?|le prochain|"
    r"(?:beim )?nachstes mal|ein andermal|die nachste|den nachsten|"
    r"la proxima(?: vez)?|lo proximo|el proximo|otra vez sera|"
    r"la prossima(?: volta)?|il prossimo|un'altra volta|"
    r"(?:fica )?(?:pra|para a) proxima|o proximo|outra vez|"
    r"volgende keer|een andere keer|de volgende)\b"
)
# A pointer to where submissions go instead of this inbox (a form, a platform): a reply, not a verdict.
_SUBMIT_CHANNEL = re.compile(
    r"\b(?:submithub|groover|musosoup|(?:submission|contact) form|formulaire|formular|formulario|modulo|"
    r"formulier|(?:via|through|on|sur|uber|por|tramite|pelo|pela|via) (?:our|the|notre|le|unsere\w*|die|"
    r"nuestra|la|il|nostro|a|o|nossa|onze|de) (?:website|site|webseite|web|sitio|pagina|pagina web)|"
    r"submit(?:ted)? (?:via|through|on))\b"
)
# Something in the pitch does not work for them (a password, a dead link, a broken file): a reply about
# the delivery, not a verdict on the track ("the password doesn't work", "le lien ne fonctionne pas").
_PROBLEM = re.compile(
    r"\b(?:password|passwort|kennwort|mot de passe|contrasena|senha|wachtwoord|login|zugang\w*|acceso|accesso|"
    r"acesso|toegang|access|codific\w*|encoding|corrupt\w*|korrupt\w*|beschadigd|danad[oa]|dannegiat[oa]|"
    r"(?:does ?n'?t|did ?n'?t|won'?t) (?:work|open|play|load)|not working|ne (?:fonctionne|marche|s'ouvre) pas|"
    r"(?:funktioniert|geht|offnet sich|lasst sich \w+) nicht|no (?:funciona|abre|carga|me deja)|"
    r"non (?:funziona|si apre|parte|si scarica)|nao (?:funciona|abre|carrega)|werkt niet|doet het niet|"
    r"gaat niet open)\b"
)
# They would rather talk: "call me", a phone number to ring ("Bel me even", "llámame", "ligue-me").
_CALL_ME = re.compile(
    r"\b(?:call|ring|phone) me|\bgive me a (?:call|ring)\b|\bappel(?:le|ez)[- ]moi\b|\btelephone[sz]?[- ]moi\b|"
    r"\bruf(?:en sie)? mich\b|\b(?:rufen sie|ruf) \w* ?an\b|\bme llamas\b|\bllam(?:ame|eme|adme)\b|\bchiamam\w*\b|"
    r"\bmi (?:chiami|telefoni)\b|\b(?:liga|ligue|ligar|telefona|telefonar)[- ]?me\b|\bme (?:liga|ligue|telefona)\b|"
    r"\bbel (?:me|mij)\b|\b(?:per|by|au|am|por|al|ao|pelo|via) (?:phone|telephone|telefon|telefono|telefone|"
    r"telefoon)\b|\b\d{2,4}[ .-]?\d{2,4}[ .-]?\d{2,4}[ .-]?\d{2,4}\b"
)
# A new address, or this mailbox closing: a change to note, not an absence ("my new address is", "ya no
# está en uso", "non è più attivo", "niet meer in gebruik").
_NEW_ADDRESS = re.compile(
    r"\b(?:new (?:e-?mail |postal )?address|nouvelle adresse|neue (?:\w+)?adresse|neuen? anschrift|"
    r"(?:direccion|casilla) nueva|nueva direccion|nuovo indirizzo|indirizzo nuovo|novo endereco|endereco novo|"
    r"nieuw(?:e)? (?:adres|mailadres)|(?:we|wir|on|nos|ci|nous) (?:are )?(?:moving|move|ziehen|demenage\w*|"
    r"mudamos|trasferiamo|verhuizen)|muda de endereco|verhuist)\b"
)
_MAILBOX = (
    r"(?:address|adresse|direccion|indirizzo|endereco|adres|mailbox|inbox|casilla|casella|postvak|postfach|account)"
)
_MAILBOX_CLOSED = re.compile(
    rf"\b{_MAILBOX}\b[^.!?\n]{{0,40}}\b(?:no longer|not (?:in use|monitored|active)|n'est plus|nicht mehr|ya no|"
    rf"non (?:e )?piu|nao (?:e |esta )?mais|ja nao|niet meer|wird nicht|n'est pas|no (?:esta|se)|non (?:e|viene))\b|"
    rf"\b(?:no longer|nicht mehr|ya no|non piu|nao mais|niet meer)\b[^.!?\n]{{0,30}}\b(?:in use|monitored|"
    rf"gelesen|en uso|attivo|monitorad[oa]|in gebruik|abgerufen|consultad[oa])\b"
)
# A decision against the track, in the seven languages ("decided against", "uns dagegen entschieden",
# "décidé de ne pas", "hemos decidido no", "deciso di non", "decidimos não", "besloten hem niet").
_DECIDED_AGAINST = re.compile(
    r"\bdecided (?:against|not to)\b|\b(?:chose|opted) not to\b|\b(?:gegen|dagegen)\b[^.!?\n]{0,60}\bentschieden\b|"
    r"\bentschieden,? (?:\w+ ){0,3}nicht\b|\b(?:decide|choisi|opte)s? de ne pas\b|"
    r"\b(?:decidido|optado|elegido) (?:por )?no\b|\b(?:deciso|scelto|optato) di non\b|"
    r"\b(?:decidimos|decidi|decidiu|optamos|optei|resolvemos) (?:por )?nao\b|"
    r"\b(?:besloten|gekozen) (?:om )?(?:\w+ ){0,3}niet\b|\bertegen gekozen\b"
)
# A reply opening with a bare yes or no before anything else ("Oui, je prends.", "Nein, danke. Tagsüber ...").
_YES_WORDS = frozenset(("yes", "yep", "yeah", "oui", "ja", "jawohl", "si", "sim", "claro", "certo", "absolutely"))
_EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_NOT_COUNTED = frozenset(("ne",))  # French "ne ... pas" is one negation, not two


def _negates(token: str) -> bool:
    return token in _NEGATORS or token.endswith("n't")


def _says_no(tokens: list[str], index: int) -> bool:
    """A negator followed closely by saying "no" ("can't say no", "non posso dire di no", "geen nee tegen
    zeggen"); the Brazilian "não rola não" repeats its negation without saying anything, so it is not one."""
    window = tokens[index + 1 : index + 2 + _DOUBLE_SCOPE]
    around = tokens[max(0, index - 1) : index + 2 + _DOUBLE_SCOPE]  # "je ne dis pas non": the verb comes first
    return any(token in _NO_WORDS for token in window[:_DOUBLE_SCOPE]) and any(
        token.startswith(_SAY) for token in around
    )


_WHY = frozenset(("why", "pourquoi", "warum", "wieso", "weshalb", "perche", "waarom", "que"))


def _why_not(tokens: list[str], index: int) -> bool:
    """ "Why not" closing its clause ("warum nicht, probieren wir's", "pourquoi pas !", "¿por qué no?"): a yes.
    Only at the clause's end: "porque no encaja" ("because it doesn't fit") negates what follows."""
    return index == len(tokens) - 1 and index > 0 and tokens[index - 1] in _WHY


def litotes(tokens: list[str], index: int) -> bool:
    """A negator that falls on a fault or on saying "no" ("not bad", "keine Frage", "can't say no"), or
    "why not": praise, or a yes."""
    following = tokens[index + 1 : index + 1 + _LITOTES_REACH]
    return any(token in _FAULT for token in following) or _says_no(tokens, index) or _why_not(tokens, index)


_SENTENCE = re.compile(r"[^.!?\n]*[.!?\n]?")
QUESTION_WORDS = True


def _question_words(text: str) -> list[bool]:
    """For each word (in the order _tokens_with_scope gives them), whether its sentence is a question."""
    flags: list[bool] = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group()
        asks = sentence.rstrip().endswith("?")
        for clause in re.split(r"[;:,]", sentence):
            flags += [asks] * len(_TOKEN.findall(re.sub(r"[.!?\n]", " ", clause)))
    return flags


def _tokens_with_scope(text: str) -> list[tuple[str, bool]]:
    """Each word with whether it sits in a negation's scope (reset at each clause's end). A negator of a
    litotes opens no scope and is renamed ``lit_<word>``: "keine Frage" is no sign of a refusal."""
    out: list[tuple[str, bool]] = []
    for clause in _CLAUSE_END.split(text):
        remaining = 0
        tokens = _TOKEN.findall(clause)
        for index, token in enumerate(tokens):
            if _negates(token) and litotes(tokens, index):
                out.append((f"lit_{token}", remaining > 0))
                remaining = max(0, remaining - 1)
                continue
            out.append((token, remaining > 0))
            remaining = _SCOPE if _negates(token) else max(0, remaining - 1)
    return out


def _after_contrast(text: str) -> set[str]:
    """Words that follow a contrast in their sentence."""
    found: set[str] = set()
    for sentence in _SENTENCE_END.split(text):
        seen = False
        for token in _TOKEN.findall(sentence):
            if seen:
                found.add(token)
            seen = seen or token in _CONTRASTS
    return found


def _length_bucket(words: int) -> str:
    if words <= 3:
        return "len:tiny"
    if words <= 12:
        return "len:short"
    if words <= 40:
        return "len:medium"
    return "len:long"


def _takes(token: str) -> bool:
    return len(token) > 2 and token.startswith(_TAKE)


def _negation_markers(text: str) -> set[str]:
    """``x:`` features: what each clause's negation falls on (taking the track, a fault, another negation)."""
    found: set[str] = set()
    for clause in re.split(r"[.;:!?,\n]|\b(?:but|mais|aber|pero|ma|mas|maar)\b", text):
        tokens = _TOKEN.findall(clause)
        negations = [
            i
            for i, token in enumerate(tokens)
            if _negates(token) and token not in _NOT_COUNTED and not _why_not(tokens, i)
        ]
        takes = any(_takes(token) for token in tokens if not _negates(token))
        faults = any(token in _FAULT for token in tokens)
        if not negations:
            found |= {"x:take"} if takes else set()
            found |= {"x:fault"} if faults else set()
            continue
        if any(_says_no(tokens, i) for i in negations):
            found.add("x:double_neg")
        elif faults:
            found.add("x:neg_fault")
        elif takes:
            found.add("x:neg_take")
        else:
            found.add("x:neg_other")
    previous = ""
    for sentence in _SENTENCE_END.split(text):
        parts = re.split(r"\b(?:but|mais|aber|pero|ma|mas|maar|however|toch|doch)\b", sentence, maxsplit=1)
        opens_sentence = len(parts) == 2 and not _TOKEN.search(parts[0])
        if opens_sentence:
            parts[0] = previous  # "Great song. But it won't fit": the contrast turns from the sentence before
        previous = sentence
        if len(parts) == 2 and _TOKEN.search(parts[0]) and _TOKEN.search(parts[1]):
            before, after = (any(_negates(t) for t in _TOKEN.findall(part)) for part in parts)
            # "Not my thing. But send me the next one" is still a no: only a turn inside a sentence is a yes.
            if before and not after and not opens_sentence:
                found.add("x:contrast_to_yes")
            elif after and not before:
                found.add("x:contrast_to_no")
    return found


# Markers that are one pattern found anywhere in the reply.
_PATTERN_MARKERS = (
    (_NO_LONGER, "m:no_longer"),
    (_EMAIL_ADDRESS, "m:email_address"),
    (_DECIDED_AGAINST, "x:decided_against"),
    (_NEXT_TIME, "m:next_time"),
    (_SUBMIT_CHANNEL, "m:submit_channel"),
    (_PROBLEM, "m:problem"),
    (_CALL_ME, "m:call_me"),
    (_NEW_ADDRESS, "m:new_address"),
    (_MAILBOX_CLOSED, "m:mailbox_closed"),
)


def _addresses_someone_named(text: str) -> bool:
    """A name the reply mentions and later addresses ("Giro a Chiara ... Chiara, vedi tu"): a forward."""
    for match in _VOCATIVE.finditer(text):
        # mentioned inside a sentence before (not a greeting or "Thanks," opening one)
        if re.search(rf"[a-z\u00e0-\u00ff,:]\s+{match.group(1)}\b", text[: match.start(1)]):
            return True
    return False


def _marker_features(text: str, words: list[str]) -> set[str]:
    """``m:`` features: regret, a condition, questions, dates and absence, a forward."""
    found: set[str] = set()
    if any(word in _REGRET for word in words) or _REGRET_PHRASE.search(text):
        found.add("m:regret")
    if _NUMERIC_DATE.search(text) or DAY_AND_MONTH.search(text) or any(word in MONTH_WORDS for word in words):
        found.add("m:date")
    found.update(marker for pattern, marker in _PATTERN_MARKERS if pattern.search(text))
    absence = sum(len(word) > 3 and word.startswith(_ABSENCE) for word in words)
    if absence:
        found.add("m:absence" if absence == 1 else "m:absences")
    first = _TOKEN.findall(_CLAUSE_END.split(text.strip(), maxsplit=1)[0])
    if len(first) == 1 and first[0] in _YES_WORDS:
        found.add("m:opens_yes")
    elif first and len(first) <= 2 and first[0] in _NO_WORDS | {"nope", "neen"} and first[-1] not in _FAULT:
        found.add("m:opens_no")
    last = _TOKEN.findall([c for c in _CLAUSE_END.split(text) if _TOKEN.search(c)][-1]) if words else []
    if 1 < len(last) <= 3 and last[-1] in _NO_WORDS and not any(t in _FAULT or t in _SAY for t in last):
        found.add("m:closes_no")  # "Dus nee.", "Per noi no.", "Also nein."
    for sentence in _SENTENCE_END.split(text):
        if _THIS_TIME.search(sentence) and any(_negates(t) for t in _TOKEN.findall(sentence)):
            found.add("x:neg_this_time")
    if any(word.startswith(_FORWARD) for word in words if len(word) > 1) or _FORWARD_PHRASE.search(text):
        found.add("m:forward")
    if (
        len(words) <= 10
        and any(word.startswith(_THANKS) for word in words)
        and not any(_negates(word) or _takes(word) or word == "?" for word in words)
    ):
        found.add("m:thanks_only")
    return found | _sentence_features(text) | _edge_sentence_features(text)


def _edge_sentence_features(text: str) -> set[str]:
    """``e:`` features: what the first and the last sentence say (past a greeting and a sign-off): whether
    each refuses (a negation falling on a word of taking the track), takes the track, regrets or asks.
    A reply's verdict sits at its edges ("Non, pas pour nous. [reasons]", "[praise]. Ich sage deshalb
    ab."): the middle explains. Read as markers, the same in every language, not as one author's words."""
    sentences = [
        tokens
        for sentence in re.split(r"(?<=[.!?\n])", text)
        if len(tokens := _TOKEN.findall(sentence)) > 2 or (tokens and tokens[-1] == "?")
    ]
    found: set[str] = set()
    for edge, tokens in (("first", sentences[0]), ("last", sentences[-1])) if sentences else ():
        negated = any(_negates(t) and not litotes(tokens, i) for i, t in enumerate(tokens))
        takes = any(_takes(t) for t in tokens if not _negates(t))
        if negated and takes:
            found.add(f"e:{edge}_refuses")
        elif takes:
            found.add(f"e:{edge}_takes")
        elif negated:
            found.add(f"e:{edge}_negated")
        if tokens[-1] == "?":
            found.add(f"e:{edge}_asks")
        if any(t in _REGRET for t in tokens):
            found.add(f"e:{edge}_regrets")
    return found


def _sentence_features(text: str) -> set[str]:
    """``m:`` features read sentence by sentence: a condition opening one, questions."""
    found: set[str] = set()
    for sentence in _SENTENCE_END.split(text):
        tokens = _TOKEN.findall(sentence)
        if len(tokens) >= 3 and tokens[0] in _CONDITIONS and not re.match(r"\W*\w+\W*,", sentence):
            found.add("m:condition")
            if any(_takes(token) for token in tokens):
                found.add("m:condition_take")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?\n])", text) if _TOKEN.search(s.replace("?", ""))]
    questions = [s for s in sentences if s.endswith("?")]
    # The first sentence past a greeting ("Hoi Lena,", "Bonjour,") is a question: the reply asks first.
    opening = [s for s in sentences if not (s.endswith(",") or (len(_TOKEN.findall(s)) <= 2 and not s.endswith("?")))]
    if opening and opening[0].endswith("?"):
        found.add("m:opens_question")
    if questions:
        found.add("m:question")
        found.add("m:only_questions" if len(questions) == len(sentences) else "m:question_and_statement")
        if sentences[-1].endswith("?"):
            found.add("m:ends_with_question")
    for sentence in sentences:
        tokens = _TOKEN.findall(sentence.lstrip("\u00bf\u00a1"))
        if tokens and tokens[0] in _INTERROGATIVES and sentence.endswith("?"):
            found.add("m:interrogative_opener")
    return found


def text_features(text: str, extra: Iterable[str] = ()) -> dict[str, float]:
    """The feature bag of one reply text: feature name -> weight (counts damped to at most 1)."""
    folded = fold(text[:MAX_CHARS])
    folded = folded.replace("\u2019", "'")
    scoped = _tokens_with_scope(folded)
    words = [token for token, _ in scoped]
    bag: dict[str, float] = {"bias": 1.0, _length_bucket(len(words)): 1.0}
    asks = _question_words(folded) if QUESTION_WORDS else []
    if len(asks) != len(scoped):
        asks = [False] * len(scoped)
    for (token, negated), asked in zip(scoped, asks, strict=True):
        # A negated word is different evidence from the word: "not interested" is no sign of interest; a
        # word in a question ("is there a radio edit?") is no statement either.
        bag[f"n:{token}" if negated else f"q:{token}" if asked else f"w:{token}"] = 1.0
    for token in _after_contrast(folded):
        bag[f"a:{token}"] = 1.0
    for first, second in itertools.pairwise(words):
        bag[f"b:{first}_{second}"] = 1.0
    for (token, negated), asked in zip(scoped, asks, strict=True):
        if len(token) < 3 or token in {"?", "!"} or negated or asked or token.startswith("lit_"):
            continue
        marked = f"<{token}>"
        for size in CHAR_NGRAM_SIZES:
            for start in range(len(marked) - size + 1):
                bag[f"c:{marked[start : start + size]}"] = CHAR_NGRAM_WEIGHT
    lexical = len(bag) - 2
    if lexical > LEXICAL_REFERENCE:
        # A long letter has hundreds of word and n-gram features; scaled down, they weigh together no more
        # than a short reply's do, and the markers, rules and length below keep their weight.
        scale = math.sqrt(LEXICAL_REFERENCE / lexical)
        bag = {name: value * scale if name[1] == ":" else value for name, value in bag.items()}
    for name in _marker_features(folded, words) | _negation_markers(folded):
        bag[name] = 1.0
    if _addresses_someone_named(text[:MAX_CHARS]):
        bag["m:forward_to_named"] = 1.0
    for name in extra:
        bag[name] = 1.0
    return bag
