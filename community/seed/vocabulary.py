"""Words and Markdown templates shared by every category of the demo community (topics.py has
the category-specific ones), in Italian and English.

A template is Markdown with ``{slot}`` fields. Slot values come from ``SLOT_VALUES`` (per
language), ``SHARED_VALUES``, the city's ``incity`` ("a Milano", "ad Ancona": Italian templates
write it, never "a {city}") or the thread being written (``asker``, ``helper``: usernames).
Values are plain words with no Markdown or HTML meaning (see ``text.SAFE_VALUE``), so a template
is rendered once and its HTML filled in afterwards. Blocks of one post are joined by a blank
line; a post never has two list blocks in a row (they would merge into one list).
"""

Lang = str  # "it" or "en"

# Cities in each language's own name: (Italian, English).
CITIES: tuple[tuple[str, str], ...] = (
    ("Milano", "Milan"),
    ("Roma", "Rome"),
    ("Torino", "Turin"),
    ("Napoli", "Naples"),
    ("Bologna", "Bologna"),
    ("Firenze", "Florence"),
    ("Bari", "Bari"),
    ("Palermo", "Palermo"),
    ("Genova", "Genoa"),
    ("Verona", "Verona"),
    ("Padova", "Padua"),
    ("Trieste", "Trieste"),
    ("Cagliari", "Cagliari"),
    ("Perugia", "Perugia"),
    ("Lecce", "Lecce"),
    ("Bergamo", "Bergamo"),
    ("Brescia", "Brescia"),
    ("Pescara", "Pescara"),
    ("Trento", "Trento"),
    ("Ancona", "Ancona"),
    ("Reggio Emilia", "Reggio Emilia"),
    ("Catania", "Catania"),
    ("Salerno", "Salerno"),
    ("Modena", "Modena"),
    ("Parma", "Parma"),
    ("Udine", "Udine"),
    ("Monza", "Monza"),
    ("Rimini", "Rimini"),
    ("Sassari", "Sassari"),
    ("Latina", "Latina"),
)
ITALIAN_CITIES = tuple(italian for italian, _ in CITIES)
ENGLISH_CITIES = tuple(english for _, english in CITIES)


def in_city(city: str) -> str:
    """Italian "in" a city: "a Milano", but "ad Ancona" (the euphonic d before the same vowel)."""
    return f"ad {city}" if city[:1] in "Aa" else f"a {city}"


SLOT_VALUES: dict[Lang, dict[str, tuple[str, ...]]] = {
    "it": {
        "amount": (
            "29,90 €",
            "34,99 €",
            "12,50 €",
            "89,00 €",
            "4,99 €",
            "19,90 €",
            "64,80 €",
            "7,50 €",
            "120,00 €",
            "24,95 €",
        ),
        "days": ("2", "3", "4", "5", "6", "8", "10", "12"),
        # Evening times: the drops, the ping and the reports in the templates happen at night.
        "hour": ("21:00", "20:30", "22:15", "19:45", "23:00", "21:30", "22:00", "20:10"),
        "city": ITALIAN_CITIES,
    },
    "en": {
        "amount": (
            "€29.90",
            "€34.99",
            "€12.50",
            "€89.00",
            "€4.99",
            "€19.90",
            "€64.80",
            "€7.50",
            "€120.00",
            "€24.95",
        ),
        "days": ("2", "3", "4", "5", "6", "8", "10", "12"),
        "hour": ("9 pm", "8:30 pm", "10:15 pm", "7:45 pm", "11 pm", "9:30 pm", "10 pm", "8:10 pm"),
        "city": ENGLISH_CITIES,
    },
}

SHARED_VALUES: dict[str, tuple[str, ...]] = {
    "modem": (
        "Connettia Hub 3",
        "Connettia Hub 4 Pro",
        "Connettia FiberBox 2",
        "FRITZ!Box 7530",
        "FRITZ!Box 7590",
        "FRITZ!Box 7690",
        "TP-Link Archer VR600",
        "Connettia Hub 4",
    ),
    # A router of the member's own, bought elsewhere (never one of Connettia's). Italian writes
    # "il {modem}": no brand that would need "lo" (ZyXEL).
    "ownmodem": ("FRITZ!Box 7530", "FRITZ!Box 7590", "FRITZ!Box 7690", "TP-Link Archer VR600"),
    # Error codes of a modem's connection; the card payment, eSIM and set-top box have their own.
    "code": (
        "PPP-691",
        "PPP-678",
        "E-1042",
        "DNS-503",
        "SIP-408",
        "AUTH-17",
        "E-2210",
        "E-0419",
    ),
    "cardcode": ("05", "51", "54", "57", "91"),
    "esimcode": ("ESIM-02", "ESIM-17", "PROF-404"),
    "boxcode": ("STB-101", "STB-204", "UPD-12", "UPD-30"),
    "speed": ("3 Mbps", "7 Mbps", "12 Mbps", "25 Mbps", "40 Mbps", "80 Mbps", "150 Mbps"),
    # Fibre plans: every template about speed, upload or "switching to" reads true of each.
    "plan": (
        "Connettia Fibra 2.5 Giga",
        "Connettia Fibra 1 Giga",
        "Connettia Casa 200 Mega",
        "Connettia Unica Fisso e Mobile",
        "Connettia Fibra Business",
    ),
    "mobileplan": (
        "Connettia Mobile 150 Giga",
        "Connettia Mobile 5G Young",
        "Connettia Mobile 80 Giga",
        "Connettia Mobile Senior",
        "Connettia Giga Illimitati",
    ),
    "phone": (
        "iPhone 15",
        "iPhone 13",
        "Pixel 8",
        "Galaxy S23",
        "Galaxy A54",
        "Redmi Note 13",
        "Moto g84",
        "OnePlus 12",
    ),
    "channel": (
        "Connettia Sport 1",
        "Connettia Sport 2",
        "Cinema Plus",
        "Serie TV Max",
        "Documentari HD",
        "Kids Club",
    ),
    "sportchannel": ("Connettia Sport 1", "Connettia Sport 2"),
    "n": ("2", "3", "4", "5", "6", "7", "9"),
}


# A greeting or opener is a sentence of its own ("Ciao a tutti!", "Hi all!"): the next block
# starts a new sentence with a capital, in both languages.
OPENERS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Ciao a tutti!",
        "Buongiorno community!",
        "Salve a tutti.",
        "Ciao!",
        "Buonasera a tutti.",
    ),
    "en": ("Hi all!", "Hello everyone!", "Hi!", "Good evening, everyone."),
}

CLOSERS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Grazie in anticipo a chi risponde!",
        "Qualcuno ha avuto lo stesso problema?",
        "Ogni consiglio è benvenuto.",
        "Grazie mille.",
        "Non so più cosa provare, aiutatemi voi.",
    ),
    "en": (
        "Thanks in advance!",
        "Has anyone had the same problem?",
        "Any advice is welcome.",
        "Many thanks.",
    ),
}

DETAILS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "- Modem: {modem}\n- Offerta: {plan}\n- Città: {city}",
        "- Città: {city}\n- Modem: {modem}\n- Errore: `{code}`",
        "- Offerta: {plan}\n- Velocità misurata: {speed}",
    ),
    "en": (
        "- Modem: {modem}\n- Plan: {plan}\n- City: {city}",
        "- City: {city}\n- Modem: {modem}\n- Error: `{code}`",
    ),
}

TRIED: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Ho già provato a:\n\n- riavviare il modem\n- fare il reset di fabbrica\n- cambiare il "
        "cavo",
        "Cose già fatte:\n\n- chiamato il servizio clienti **due volte**\n- aperto una "
        "segnalazione dall'app\n- controllato i cavi",
    ),
    "en": (
        "What I've already tried:\n\n- rebooting the modem\n- a factory reset\n- another cable",
        "Done so far:\n\n- called support **twice**\n- opened a ticket in the app\n- checked "
        "every cable",
    ),
}

# An angry opening post: ANGER, the topic's grievance (or problem), ANGRY_CLOSERS. These two fit
# any grievance, an outage as well as a bill.
ANGER: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Sono **furioso**. Pago regolarmente ogni mese e questo è il servizio che ricevo.",
        "Ho chiamato {n} volte il servizio clienti: ogni volta un operatore diverso, ogni volta "
        "la stessa risposta, *stiamo verificando*.",
        "È uno scandalo. Sono {days} giorni che aspetto una risposta e nessuno mi richiama.",
        "Sono cliente da anni e questo è il trattamento. Sto seriamente pensando di cambiare "
        "operatore.",
    ),
    "en": (
        "I'm **furious**. I pay on time every month and this is the service I get.",
        "I've called support {n} times: a different person every time, the same answer every "
        "time, *we're looking into it*.",
        "This is a scandal. I've been waiting {days} days for an answer and nobody calls back.",
        "I've been a customer for years and this is how I'm treated. I'm seriously thinking of "
        "switching.",
    ),
}

ANGRY_CLOSERS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Voglio sapere **quando** verrà sistemato e cosa intendete fare.",
        "Qualcuno sa come ottenere un indennizzo?",
        "Se entro domani non cambia nulla faccio reclamo all'AGCOM.",
    ),
    "en": (
        "I want to know **when** this will be sorted out and what you're going to do about it.",
        "Does anyone know how to get compensation?",
        "If nothing changes by tomorrow I'm filing a formal complaint.",
    ),
}

PRAISE_TITLES: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Complimenti al tecnico di {city}!",
        "Assistenza veloce, una volta tanto!",
        "Fibra attivata in {days} giorni, contentissimo",
        "Grazie alla community per l'aiuto",
    ),
    "en": (
        "Kudos to the engineer in {city}!",
        "Fast support for once!",
        "Fibre live in {days} days, very happy",
        "Thanks to this community for the help",
    ),
}

PRAISE_BODIES: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Volevo solo dire che il tecnico passato oggi {incity} è stato gentilissimo e "
        "preciso: in un'ora la {plan} era attiva.",
        "Ho segnalato il guasto ieri sera alle {hour} e stamattina la linea era già tornata. "
        "Quando le cose funzionano è giusto dirlo!",
        "Grazie a chi mi ha aiutato qui con il {modem}: seguendo i vostri consigli ora vado a "
        "piena velocità in tutta casa.",
    ),
    "en": (
        "Just wanted to say that the engineer who came round today in {city} was friendly and "
        "thorough: my {plan} was up and running within an hour.",
        "I reported the fault at {hour} last night and the line was back by this morning. When "
        "things work, it's only fair to say so!",
        "Thanks to everyone who helped me here with the {modem}: following your tips I now get "
        "full speed in every room.",
    ),
}

GREETINGS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Ciao @{asker}!",
        "Ciao!",
        "Ciao @{asker}, ci sono passato anche io.",
        "Benvenuto nella community!",
        "Provo a darti una mano.",
    ),
    "en": ("Hi @{asker}!", "Hey there!", "Welcome to the community!", "Let me try to help."),
}

ANSWER_ENDINGS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Facci sapere come va!",
        "Se non risolvi, scrivi qui e vediamo insieme.",
        "In bocca al lupo.",
    ),
    "en": ("Let us know how it goes!", "If that doesn't fix it, post here again.", "Good luck."),
}

ME_TOO: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Stesso problema anche {incity}, da {days} giorni. Seguo la discussione.",
        "Confermo, anche a me succede la stessa cosa da qualche giorno.",
        "+1, mi aggiungo. Qualcuno ha novità?",
    ),
    "en": (
        "Same problem in {city}, for {days} days now. Following.",
        "Same here, it's been happening since last week.",
        "+1 here. Any news?",
    ),
}

FOLLOWUPS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Grazie per la risposta. Ho provato ma purtroppo non è cambiato niente.",
        "Aggiornamento: ho riprovato stamattina, stessa situazione.",
        "Ho aperto anche una segnalazione dall'app, vi aggiorno appena mi rispondono.",
        "Ok, provo stasera e vi faccio sapere.",
    ),
    "en": (
        "Thanks for answering. I tried it but unfortunately nothing changed.",
        "Update: tried again this morning, same thing.",
        "I've also opened a ticket in the app, I'll update this when they answer.",
        "OK, I'll try tonight and report back.",
    ),
}

BUMPS: dict[Lang, tuple[str, ...]] = {
    "it": ("Up. Nessuno ha idee?", "Ancora nessuna novità, qualcuno può aiutarmi?"),
    "en": ("Bump. Anyone?", "Still stuck, can anyone help?"),
}

THANKS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Grazie @{helper}, era proprio quello! Adesso funziona tutto.",
        "Risolto seguendo i consigli di @{helper}, grazie davvero.",
        "Confermo che ha funzionato. Segno la risposta come soluzione, grazie!",
    ),
    "en": (
        "Thanks @{helper}, that was it! Everything works now.",
        "Fixed by following @{helper}'s advice, thank you so much.",
        "Confirmed, it worked. Marking the answer as the solution, thanks!",
    ),
}

EMPATHY: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Ti capisco benissimo, ci sono passato anche io l'anno scorso.",
        "Brutta situazione, soprattutto se lavori da casa.",
        "Capisco la rabbia, ma qui siamo utenti come te: proviamo almeno a capire il problema.",
    ),
    "en": (
        "I totally get it, I went through the same thing last year.",
        "Rough situation, especially when you work from home.",
        "I get the frustration, but we're customers like you here: let's at least try to narrow "
        "it down.",
    ),
}

COMPENSATION: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Per i disservizi oltre i 2 giorni la carta servizi prevede un **indennizzo** "
        "automatico: se non compare in fattura, chiedilo per iscritto citando il numero della "
        "segnalazione.",
        "Se il guasto non viene chiuso, la via più rapida è la conciliazione online: è gratuita "
        "e di solito si chiude in poche settimane.",
    ),
    "en": (
        "For outages longer than 2 days the service charter grants automatic **compensation**: "
        "if it's not on your bill, ask for it in writing and quote the ticket number.",
        "If the fault still isn't fixed, the fastest route is the free online "
        "conciliation procedure: it usually ends within a few weeks.",
    ),
}

STAFF: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Ciao @{asker}, sono Sara del team Connettia. Ho preso in carico la segnalazione e l'ho "
        "girata ai colleghi della rete: ti scrivo in privato per i dati della linea.",
        "Ciao @{asker}, ci dispiace per il disagio. Risulta un intervento in corso nella zona di "
        "{city}: i tecnici stimano di chiuderlo entro {days} giorni.",
    ),
    "en": (
        "Hi @{asker}, Sara from the Connettia team here. I've picked up your report and passed "
        "it on to our network team: I'll message you privately for the line details.",
        "Hi @{asker}, sorry for the trouble. There's ongoing work in the {city} area: the "
        "engineers expect to finish within {days} days.",
    ),
}

CHAT_REPLIES: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Bello leggere anche messaggi positivi ogni tanto!",
        "Concordo, anche {incity} i tecnici sono bravissimi.",
        "Ahah, stessa situazione qui.",
        "Grazie per aver condiviso!",
    ),
    "en": (
        "Nice to read something positive for once!",
        "Agreed, great engineers in {city} too.",
        "Ha, same here.",
        "Thanks for sharing!",
    ),
}

ITALIAN_FIRST_NAMES: tuple[str, ...] = (
    "Marco",
    "Alessandro",
    "Giuseppe",
    "Francesco",
    "Andrea",
    "Matteo",
    "Lorenzo",
    "Davide",
    "Stefano",
    "Simone",
    "Roberto",
    "Paolo",
    "Giovanni",
    "Antonio",
    "Federico",
    "Riccardo",
    "Emanuele",
    "Fabio",
    "Daniele",
    "Michele",
    "Chiara",
    "Francesca",
    "Sofia",
    "Martina",
    "Elena",
    "Valentina",
    "Alessia",
    "Sara",
    "Federica",
    "Anna",
    "Laura",
    "Silvia",
    "Giorgia",
    "Marta",
    "Ilaria",
    "Elisa",
    "Roberta",
    "Paola",
    "Serena",
    "Beatrice",
    "Aurora",
    "Camilla",
    "Veronica",
    "Claudia",
    "Gabriele",
    "Tommaso",
    "Nicola",
    "Salvatore",
    "Vincenzo",
    "Pietro",
)

ITALIAN_SURNAMES: tuple[str, ...] = (
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "Costa",
    "Giordano",
    "Mancini",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "Fabbri",
    "Villa",
    "Marchetti",
    "Parisi",
)

ENGLISH_FIRST_NAMES: tuple[str, ...] = (
    "James",
    "Oliver",
    "Harry",
    "George",
    "Jack",
    "Thomas",
    "Daniel",
    "Michael",
    "David",
    "Peter",
    "Emily",
    "Sophie",
    "Emma",
    "Olivia",
    "Charlotte",
    "Hannah",
    "Lucy",
    "Grace",
    "Chloe",
    "Rachel",
    "Anna",
    "Kate",
    "Mark",
    "Paul",
    "Tom",
    "Sarah",
    "Laura",
    "Ben",
    "Sam",
    "Helen",
)

ENGLISH_SURNAMES: tuple[str, ...] = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Evans",
    "Walker",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Harris",
    "Lewis",
    "Murphy",
    "Kelly",
    "Baker",
    "Turner",
)

USERNAME_PATTERNS: tuple[str, ...] = ("{f}{l}", "{f}_{l}", "{f}{i}", "{f}_{i}", "{l}{f}")
