"""Categories of the Connettia community and the topics people write about in each.

A topic keeps a thread coherent: its title, the problem in the opening post and the answers all
come from the same topic, in the thread's language. Templates follow the rules in vocabulary.py.
"""

from dataclasses import dataclass, field

Texts = dict[str, tuple[str, ...]]


def both(it: tuple[str, ...], en: tuple[str, ...]) -> Texts:
    return {"it": it, "en": en}


NONE: Texts = both((), ())


@dataclass(frozen=True)
class Topic:
    tags: tuple[str, ...]
    titles: Texts
    problems: Texts
    answers: Texts
    complaints: Texts = field(default_factory=lambda: NONE)
    # What an angry opening post says, when not every problem fits a complaint's title.
    grievances: Texts = field(default_factory=lambda: NONE)
    # False for questions that modem, city and what was tried would not belong in, even in a
    # category whose questions list them (an activation, a forgotten password, a TV app).
    line_details: bool = True


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    description_it: str
    description_en: str
    weight: float
    topics: tuple[Topic, ...]
    # Questions about the line may list the modem and city, and what the asker already tried.
    line_details: bool = False
    is_lounge: bool = False


FIBRA = CategorySpec(
    slug="fibra-adsl",
    line_details=True,
    name="Fibra e ADSL",
    description_it="Linea fissa: FTTH, FTTC, ADSL, attivazioni, guasti e velocità.",
    description_en="Fixed line: FTTH, FTTC, ADSL, activation, faults and speed.",
    weight=0.26,
    topics=(
        Topic(
            tags=("disservizio", "ftth", "fttc"),
            titles=both(
                (
                    "La fibra cade tutte le sere verso le {hour}",
                    "Disconnessioni continue, qualcuno {incity}?",
                    "Linea instabile da {days} giorni con il {modem}",
                ),
                (
                    "Fibre drops every evening around {hour}",
                    "Constant disconnections, anyone else in {city}?",
                ),
            ),
            complaints=both(
                ("Lavoro da casa e la fibra è morta di nuovo",),
                ("I work from home and the fibre is dead again",),
            ),
            problems=both(
                (
                    "Da {days} giorni la connessione cade tutte le sere verso le {hour} e torna "
                    "dopo qualche minuto. Il modem è un **{modem}** e la linea è una {plan} "
                    "{incity}.",
                    "La linea si scollega più volte al giorno: la spia *Internet* del {modem} "
                    "diventa rossa per un paio di minuti e poi torna verde. Succede soprattutto "
                    "la sera.",
                ),
                (
                    "For {days} days the connection has been dropping every evening around "
                    "{hour} and comes back after a few minutes. The modem is a **{modem}** on "
                    "{plan} in {city}.",
                    "The line disconnects several times a day: the *Internet* light on the "
                    "{modem} turns red for a couple of minutes, then green again. Mostly in the "
                    "evening.",
                ),
            ),
            answers=both(
                (
                    "Anche io {incity} avevo cadute la sera: era la portante che scendeva. Nella "
                    "pagina di stato del modem guarda il valore **SNR**: se è sotto 6 dB la linea "
                    "è disturbata e va aperto un guasto.",
                    "Segna gli orari delle cadute per un paio di giorni, così quando chiami hai "
                    "dati concreti:\n\n| Giorno | Ora | Durata |\n|---|---|---|\n| lunedì | "
                    "{hour} | 4 min |\n| martedì | {hour} | 7 min |\n\nCon una tabella così ti "
                    "prendono molto più sul serio.",
                    "Controlla il cavo tra la borchia e il modem: a me bastava sfiorarlo per far "
                    "cadere la linea. Sostituito con uno nuovo e da {days} giorni zero cadute.",
                ),
                (
                    "I had evening drops in {city} too. On the modem status page look at the "
                    "**SNR** value: below 6 dB the line is noisy and you should report a fault.",
                    "Write down when the drops happen for a couple of days, so support gets hard "
                    "data:\n\n| Day | Time | Length |\n|---|---|---|\n| Monday | {hour} | 4 min "
                    "|\n| Tuesday | {hour} | 7 min |\n\nThey take you far more seriously with "
                    "a table like that.",
                    "Check the cable between the wall socket and the modem: just touching mine "
                    "was enough to drop the line. I replaced it and haven't had a drop in {days} "
                    "days.",
                ),
            ),
        ),
        Topic(
            tags=("velocita", "fttc", "ftth"),
            titles=both(
                (
                    "Velocità ferma a {speed} su {plan}, è normale?",
                    "Upload bassissimo, il download invece è ok",
                ),
                (
                    "Stuck at {speed} on {plan}, is that normal?",
                    "Upload is terrible, download is fine",
                ),
            ),
            complaints=both(
                ("Pago la fibra 1 Giga e vado a {speed}",),
                ("Paying for 1 Gbit and getting {speed}",),
            ),
            problems=both(
                (
                    "Con lo speed test via cavo arrivo a malapena a **{speed}**, mentre nel "
                    "contratto c'è scritto ben altro. Di giorno va un po' meglio, la sera è un "
                    "disastro.",
                    "Ho la {plan} {incity}: il download è quasi al massimo ma l'upload resta "
                    "sotto i {speed} e le videochiamate si bloccano.",
                ),
                (
                    "A wired speed test barely reaches **{speed}**, which is nowhere near what "
                    "the contract says. Daytime is a bit better, evenings are awful.",
                    "I'm on {plan} in {city}: download is almost at full speed but upload stays "
                    "below {speed} and video calls freeze.",
                ),
            ),
            answers=both(
                (
                    "Prima di tutto fai un test **via cavo**, non in Wi-Fi, così escludiamo "
                    "problemi di copertura:\n\n1. spegni il {modem} per 30 secondi\n2. collega "
                    "il PC alla porta LAN 1\n3. ripeti lo speed test a ore diverse\n\nSe resti "
                    "sotto i {speed} apri una segnalazione dall'app, sezione *Assistenza*.",
                    "Nella pagina di stato del {modem} guarda la **velocità di allineamento**, in "
                    "download e in upload: se è già bassa il limite è la linea e va aperto un "
                    "guasto; se è alta e lo speed test no, è congestione. In quel caso segnala "
                    "gli orari in cui va peggio.",
                ),
                (
                    "First run a **wired** test, not over Wi-Fi, to rule out coverage issues:"
                    "\n\n1. switch off the {modem} for 30 seconds\n2. plug the PC into LAN port 1"
                    "\n3. repeat the speed test at different times\n\nIf you stay below {speed}, "
                    "open a ticket in the app, under *Support*.",
                    "On the {modem} status page look at the **sync speed**, both download and "
                    "upload: if it's already low the line is the limit and you should report a "
                    "fault; if it's high and the speed test isn't, it's congestion. Then report "
                    "the times when it's worst.",
                ),
            ),
        ),
        Topic(
            tags=("attivazione", "ftth"),
            line_details=False,
            titles=both(
                (
                    "Attivazione della fibra {incity}: quanto ci vuole?",
                    "Ordine della fibra fermo da {days} giorni, è normale?",
                ),
                (
                    "Fibre activation in {city}: how long does it take?",
                    "Fibre order stuck for {days} days, is that normal?",
                ),
            ),
            complaints=both(
                ("Il tecnico non si è presentato per la seconda volta",),
                ("The engineer didn't show up. Again.",),
            ),
            grievances=both(
                (
                    "Avevo l'appuntamento per l'attivazione ieri mattina e il tecnico non si è "
                    "presentato, per la seconda volta. Nessuno mi ha avvisato e l'ordine risulta "
                    "ancora *In lavorazione*.",
                ),
                (
                    "The activation appointment was yesterday morning and the engineer didn't "
                    "turn up, for the second time. Nobody told me and the order still says *In "
                    "progress*.",
                ),
            ),
            problems=both(
                (
                    "Ho richiesto l'attivazione {days} giorni fa ma l'ordine è fermo su *In "
                    "lavorazione*. Abito {incity}, in una palazzina nuova.",
                    "Ho firmato il contratto per la fibra {days} giorni fa e non ho ancora una "
                    "data per il tecnico. È normale aspettare così tanto?",
                ),
                (
                    "I asked for activation {days} days ago and the order is still *In "
                    "progress*. I live in {city}, in a new building.",
                    "I signed up for fibre {days} days ago and still have no date for the "
                    "engineer. Is it normal to wait this long?",
                ),
            ),
            answers=both(
                (
                    "Di solito tra la firma e l'attivazione passano **due o tre settimane**: "
                    "prima ti chiama il tecnico per fissare l'appuntamento, poi l'ordine passa "
                    "a *In attivazione*. Se dopo 30 giorni non hai ancora una data, chiedi un "
                    "sollecito dall'app in *Assistenza*.",
                    "Nelle palazzine nuove serve prima il cablaggio verticale, e lì i tempi "
                    "dipendono dall'amministratore. Lo stato aggiornato lo trovi in *Area clienti "
                    "> Ordini*; se l'appuntamento salta, chiedine un altro dall'app.",
                ),
                (
                    "Between signing and activation it usually takes **two or three weeks**: "
                    "first the engineer calls to book the appointment, then the order moves to "
                    "*Activating*. If after 30 days you still have no date, ask for a reminder "
                    "in the app under *Support*.",
                    "New buildings need the riser cabling first, and that depends on the "
                    "building manager. The current status is under *Account > Orders*; if an "
                    "appointment is missed, book another one in the app.",
                ),
            ),
        ),
        Topic(
            tags=("guasto", "ftth"),
            titles=both(
                (
                    "Il {modem} non si connette più alla linea",
                    "Niente internet {incity}: il modem non aggancia la linea",
                ),
                (
                    "My {modem} won't connect to the line any more",
                    "No internet in {city}: the modem won't get a line",
                ),
            ),
            complaints=both(
                (
                    "Terzo giorno senza linea, è uno scandalo",
                    "Senza internet da {days} giorni e nessuno mi richiama",
                    "Guasto {incity}: una settimana di promesse",
                ),
                (
                    "Third day without internet, this is a joke",
                    "No connection for {days} days and nobody calls back",
                    "Outage in {city}: a week of empty promises",
                ),
            ),
            problems=both(
                (
                    "Stamattina la spia *Internet* del {modem} era rossa e sul pannello compare "
                    "l'errore `{code}`. Ho già riavviato due volte senza risultato.",
                    "Il tecnico è passato, ha montato la borchia ottica e se n'è andato. Da "
                    "allora il {modem} lampeggia arancione e non si connette.",
                    "Da quando c'è stato il temporale {incity} la spia **LOS** è rossa fissa e "
                    "non c'è verso di navigare.",
                ),
                (
                    "This morning the *Internet* light on the {modem} was red and the admin page "
                    "shows error `{code}`. I rebooted twice, nothing changed.",
                    "The engineer came, fitted the fibre socket and left. Since then the {modem} "
                    "blinks orange and never connects.",
                ),
            ),
            answers=both(
                (
                    "La spia LOS rossa vuol dire che non arriva segnale ottico: non è colpa del "
                    "modem. Controlla che il cavetto non sia piegato dietro la borchia, "
                    "altrimenti serve il tecnico. A me l'hanno sistemato in {days} giorni.",
                    "L'errore `{code}` di solito indica un problema di autenticazione PPP. "
                    "Controlla in *Impostazioni > Internet* che utente e password siano quelli "
                    "della lettera di benvenuto: dopo un reset di fabbrica a volte spariscono.",
                    "> Ho già riavviato due volte\n\nIl riavvio non basta se la sessione resta "
                    "appesa in centrale. Lascia il modem spento per **almeno 10 minuti**: la "
                    "sessione PPP scade e al riavvio ne ottieni una nuova.",
                ),
                (
                    "A red LOS light means no optical signal reaches the modem, so it's not the "
                    "modem's fault. Check that the fibre patch cord isn't bent behind the "
                    "socket, otherwise you need an engineer. Mine was fixed in {days} days.",
                    "Error `{code}` usually means PPP authentication failed. Check under "
                    "*Settings > Internet* that username and password match the welcome letter: "
                    "a factory reset sometimes wipes them.",
                    "> I rebooted twice\n\nA reboot isn't enough when the session hangs at the "
                    "exchange. Leave the modem off for **at least 10 minutes** so the PPP "
                    "session expires, then you get a fresh one.",
                ),
            ),
        ),
        Topic(
            tags=("ping", "gaming"),
            titles=both(
                ("Ping altissimo la sera quando gioco online",),
                ("Huge ping in the evening when gaming",),
            ),
            problems=both(
                (
                    "Giocando online il ping passa da 15 a oltre 300 ms senza motivo, soprattutto "
                    "dopo le {hour}. Via Wi-Fi e via cavo è uguale.",
                ),
                (
                    "When gaming, ping jumps from 15 to over 300 ms for no reason, mostly after "
                    "{hour}. Same over Wi-Fi and cable.",
                ),
            ),
            answers=both(
                (
                    "Fai un `tracert` verso il server di gioco e guarda dove sale la latenza: se "
                    "è già al primo salto dopo il modem, apri una segnalazione allegando lo "
                    "screenshot.",
                    "Controlla che nessuno in casa stia caricando foto o backup: un upload "
                    "pieno fa schizzare il ping. Sul {modem} puoi dare priorità alla console "
                    "dal menu **QoS**.",
                ),
                (
                    "Run a `tracert` to the game server and see where latency jumps: if it's "
                    "already at the first hop after the modem, report it with the screenshot.",
                    "Make sure nobody at home is uploading photos or backups: a saturated upload "
                    "sends ping through the roof. The {modem} can prioritise the console in the "
                    "**QoS** menu.",
                ),
            ),
        ),
        Topic(
            tags=("ftth", "fttc", "copertura"),
            line_details=False,
            titles=both(
                (
                    "FTTC o FTTH? Come capisco cosa arriva a casa mia",
                    "Come faccio a sapere se {incity} ho la fibra fino in casa?",
                ),
                (
                    "FTTC or FTTH? How do I tell what reaches my home",
                    "How do I find out if I have full fibre in {city}?",
                ),
            ),
            problems=both(
                (
                    "Nel contratto c'è scritto *fibra*, ma il tecnico mi ha parlato di FTTC. "
                    "Abito {incity}: come capisco se la fibra arriva davvero fino in casa o solo "
                    "all'armadio in strada?",
                    "Sto valutando la {plan} ma non capisco se nel mio palazzo {incity} arriva la "
                    "FTTH o solo la FTTC, e che differenza fa in pratica.",
                ),
                (
                    "The contract says *fibre*, but the engineer talked about FTTC. I live in "
                    "{city}: how can I tell whether fibre really reaches my home or only the "
                    "cabinet in the street?",
                    "I'm looking at {plan} but I can't work out whether my building in {city} "
                    "gets FTTH or only FTTC, and what difference it makes in practice.",
                ),
            ),
            answers=both(
                (
                    "Verifica la copertura sul sito inserendo l'indirizzo completo: se risulta "
                    "**FTTH** la fibra arriva fino in casa, se risulta **FTTC** l'ultimo tratto è "
                    "ancora in rame e oltre i 100 Mbps difficilmente vai.",
                    "Guarda cosa hai in casa: se sul muro c'è una **borchia ottica**, la "
                    "scatolina bianca da cui esce il cavo in fibra, sei in FTTH. Se il modem è "
                    "attaccato alla solita presa del telefono, sei in FTTC.",
                ),
                (
                    "Check coverage on the website with your full address: **FTTH** means fibre "
                    "all the way home, **FTTC** means the last stretch is copper and you'll "
                    "rarely get more than 100 Mbps.",
                    "Look at what you have at home: if there's a **fibre socket** on the wall, "
                    "the small white box with the fibre cable coming out, you're on FTTH. If the "
                    "modem plugs into the usual phone socket, you're on FTTC.",
                ),
            ),
        ),
        Topic(
            tags=("attivazione", "adsl", "ftth"),
            line_details=False,
            titles=both(
                (
                    "Passaggio da ADSL a fibra: cosa devo fare?",
                    "Da ADSL a fibra senza restare senza linea, si può?",
                ),
                (
                    "Moving from ADSL to fibre: what do I need to do?",
                    "Can I switch from ADSL to fibre without losing my line?",
                ),
            ),
            problems=both(
                (
                    "Ho ancora l'ADSL ma nel mio palazzo {incity} è arrivata la fibra. Non "
                    "vorrei restare senza linea durante il passaggio.",
                    "Ho l'ADSL da anni con il numero fisso e mi dicono che {incity} ora c'è la "
                    "fibra. Devo fare un contratto nuovo o basta un cambio offerta?",
                ),
                (
                    "I'm still on ADSL but fibre has reached my building in {city}. I don't "
                    "want to be left without a line during the switch.",
                    "I've had ADSL with a landline number for years and I hear fibre is now "
                    "available in {city}. Do I need a new contract or just a plan change?",
                ),
            ),
            answers=both(
                (
                    "Per passare da ADSL a fibra non devi disdire nulla: chiedi il cambio offerta "
                    "dall'area clienti e mantieni lo stesso numero. L'ADSL resta attiva finché "
                    "il tecnico non completa il lavoro.",
                    "L'ho fatto da poco: ordine dall'app, dopo una decina di giorni il tecnico "
                    "ha montato la borchia ottica e portato il modem nuovo, e in un'ora ero di "
                    "nuovo online con lo stesso numero. Il vecchio modem va restituito entro 30 "
                    "giorni.",
                ),
                (
                    "You don't need to cancel anything to move from ADSL to fibre: ask for a "
                    "plan change in your account and keep the same number. ADSL stays on until "
                    "the engineer finishes.",
                    "I did it recently: ordered in the app, about ten days later the engineer "
                    "fitted the fibre socket and brought the new modem, and within an hour I was "
                    "back online with the same number. The old modem must be returned within 30 "
                    "days.",
                ),
            ),
        ),
    ),
)

MOBILE = CategorySpec(
    slug="mobile-sim",
    name="Mobile e SIM",
    description_it="SIM ed eSIM, portabilità, copertura 4G e 5G, roaming e giga.",
    description_en="SIM and eSIM, number porting, 4G and 5G coverage, roaming and data.",
    weight=0.18,
    topics=(
        Topic(
            tags=("portabilita", "sim"),
            titles=both(
                ("Portabilità ferma da {days} giorni, è normale?",),
                ("Number porting stuck for {days} days, is that normal?",),
            ),
            complaints=both(
                ("Numero perso durante la portabilità, sono furioso",),
                ("Lost my number during porting, I'm furious",),
            ),
            problems=both(
                (
                    "Ho chiesto la portabilità del numero {days} giorni fa e risulta ancora *in "
                    "corso*. Nel frattempo la vecchia SIM funziona a singhiozzo.",
                ),
                (
                    "I asked to port my number {days} days ago and it still says *in progress*. "
                    "Meanwhile the old SIM works on and off.",
                ),
            ),
            answers=both(
                (
                    "La portabilità richiede di solito **3 giorni lavorativi**. Se sei oltre, "
                    "controlla che il codice seriale della vecchia SIM fosse giusto: è l'errore "
                    "più comune e blocca tutto senza avvisare.",
                    "Se il vecchio operatore ha rifiutato la richiesta, nell'app trovi la "
                    "causale in *Ordini*: spesso è il codice fiscale diverso da quello "
                    "dell'intestatario.",
                ),
                (
                    "Porting usually takes **3 working days**. If you're past that, check that "
                    "the old SIM serial number was right: it's the most common mistake and "
                    "blocks everything silently.",
                    "If the old carrier rejected the request, the app shows the reason under "
                    "*Orders*: often the tax code doesn't match the account holder's.",
                ),
            ),
        ),
        Topic(
            tags=("esim",),
            titles=both(
                ("Come attivo la eSIM su {phone}?", "QR code della eSIM non funziona"),
                ("How do I activate the eSIM on my {phone}?", "eSIM QR code doesn't work"),
            ),
            problems=both(
                (
                    "Ho un **{phone}** e vorrei passare alla eSIM, ma il QR code che mi è "
                    "arrivato via email dà errore `{esimcode}`.",
                ),
                (
                    "I have a **{phone}** and want to switch to eSIM, but the QR code I received "
                    "by email fails with error `{esimcode}`.",
                ),
            ),
            answers=both(
                (
                    "Per la eSIM su {phone}:\n\n1. vai in *Impostazioni > Cellulare*\n2. "
                    "scegli *Aggiungi eSIM*\n3. inquadra il QR code **dal PC**, non dallo "
                    "stesso telefono\n\nIl QR è valido una sola volta: se l'hai già "
                    "scansionato va chiesto un nuovo codice.",
                ),
                (
                    "For the eSIM on a {phone}:\n\n1. open *Settings > Mobile*\n2. choose *Add "
                    "eSIM*\n3. scan the QR code **from a computer screen**, not from the same "
                    "phone\n\nThe code works only once: if you already scanned it, ask for a "
                    "new one.",
                ),
            ),
        ),
        Topic(
            tags=("5g", "copertura"),
            titles=both(
                (
                    "Niente 5G {incity} anche se la mappa dice che c'è copertura",
                    "Il mio {phone} resta sempre in 4G, come attivo il 5G?",
                ),
                (
                    "No 5G in {city} even though the map says it's covered",
                    "My {phone} is always on 4G, how do I get 5G?",
                ),
            ),
            problems=both(
                (
                    "Sulla mappa di copertura {city} risulta in 5G, ma il telefono resta fisso in "
                    "4G anche con l'opzione attiva. L'offerta è {mobileplan}.",
                    "Ho preso un {phone} apposta per il 5G, ma in alto vedo sempre 4G, anche "
                    "in centro {incity}.",
                ),
                (
                    "The coverage map shows {city} as 5G, but the phone stays on 4G even with "
                    "the option enabled. My plan is {mobileplan}.",
                    "I bought a {phone} just for 5G, but the status bar always says 4G, even in "
                    "the centre of {city}.",
                ),
            ),
            answers=both(
                (
                    "Il 5G va abilitato anche lato telefono: su {phone} trovi l'opzione in *Rete "
                    "mobile > Tipo di rete preferito*. Occhio che in molte zone di {city} la "
                    "copertura è solo esterna.",
                    "Controlla che il 5G sia incluso nella tua offerta: su alcune offerte "
                    "vecchie va aggiunto gratis dall'app, in *Opzioni*. Dopo l'attivazione "
                    "spegni e riaccendi il telefono.",
                ),
                (
                    "5G must be enabled on the phone too: on a {phone} look under *Mobile "
                    "network > Preferred network type*. Mind that in many parts of {city} "
                    "coverage is outdoor only.",
                    "Check that your plan includes 5G: on some older plans you have to add it, "
                    "free of charge, in the app under *Options*. After that, switch the phone "
                    "off and on again.",
                ),
            ),
        ),
        Topic(
            tags=("giga",),
            titles=both(
                (
                    "Giga finiti a metà mese con {mobileplan}",
                    "I giga spariscono anche se a casa uso il Wi-Fi",
                ),
                (
                    "Data allowance gone halfway through the month on {mobileplan}",
                    "My data disappears even though I use Wi-Fi at home",
                ),
            ),
            problems=both(
                (
                    "Il contatore dell'app dice che ho già usato tutti i giga della "
                    "{mobileplan}, ma a casa uso il Wi-Fi e il consumo non torna proprio.",
                ),
                (
                    "The app says I've used all the data on {mobileplan}, but I'm on Wi-Fi at "
                    "home and the numbers just don't add up.",
                ),
            ),
            answers=both(
                (
                    "Disattiva l'opzione *Assistenza Wi-Fi* del telefono: quando il Wi-Fi è "
                    "debole passa ai dati mobili senza dirtelo. A me consumava quasi {n} giga al "
                    "mese.",
                    "Nell'app, in *Consumi > Dettaglio*, vedi il traffico giorno per giorno: "
                    "così capisci subito da che giorno è partito il consumo anomalo.",
                ),
                (
                    "Turn off the phone's *Wi-Fi assist*: when Wi-Fi is weak it silently "
                    "switches to mobile data. It was eating about {n} GB a month for me.",
                    "In the app, *Usage > Details* shows traffic day by day, so you can spot "
                    "the day the odd usage started.",
                ),
            ),
        ),
        Topic(
            tags=("roaming",),
            titles=both(
                ("Roaming in Svizzera: quanto costa?",),
                ("Roaming in Switzerland: what does it cost?",),
            ),
            problems=both(
                (
                    "Il mese prossimo vado in Svizzera per lavoro e non capisco se i giga della "
                    "{mobileplan} valgono anche lì.",
                ),
                (
                    "Next month I'm going to Switzerland for work and can't tell whether the "
                    "data on {mobileplan} works there.",
                ),
            ),
            answers=both(
                (
                    "La Svizzera non è inclusa nel roaming UE: serve l'opzione *Travel* da "
                    "attivare prima di partire. Finché non l'hai attivata tieni spenti i dati in "
                    "roaming.",
                    "Ci sono stato a marzo: con l'opzione *Travel* avevo qualche giga al giorno "
                    "e le chiamate verso l'Italia incluse. Senza opzione si paga a consumo e "
                    "bastano un paio di mappe per spendere {amount}.",
                ),
                (
                    "Switzerland isn't part of EU roaming: you need the *Travel* option, "
                    "activated before you leave. Keep data roaming off until then.",
                    "I was there in March: the *Travel* option gave me a few GB a day and calls "
                    "to Italy included. Without it you pay as you go, and a couple of maps can "
                    "cost you {amount}.",
                ),
            ),
        ),
        Topic(
            tags=("sim", "apn"),
            titles=both(
                (
                    "La SIM non viene riconosciuta dopo l'aggiornamento",
                    "Il mio {phone} dice Nessuna SIM, cosa posso fare?",
                ),
                ("SIM not recognised after the update", "My {phone} says No SIM, what can I do?"),
            ),
            problems=both(
                (
                    "Dopo l'aggiornamento del mio {phone} la SIM non viene più letta: compare "
                    "*Nessuna SIM* e riavviare non serve.",
                ),
                (
                    "Since I updated my {phone} the SIM isn't detected any more: it says *No "
                    "SIM* and rebooting doesn't help.",
                ),
            ),
            answers=both(
                (
                    "Se la SIM non viene letta prova a inserirla in un altro telefono. Se anche "
                    "lì non va è guasta: la sostituzione in negozio è gratuita e mantieni numero "
                    "e credito.",
                    "Prima di cambiare SIM prova a reimpostare le impostazioni di rete del "
                    "{phone}: dopo alcuni aggiornamenti la SIM torna visibile solo così. Non "
                    "perdi foto né contatti, solo le reti Wi-Fi salvate.",
                ),
                (
                    "If the SIM isn't detected, try it in another phone. If it fails there too, "
                    "it's faulty: a replacement in store is free and you keep your number and "
                    "credit.",
                    "Before changing the SIM, try resetting the network settings on the "
                    "{phone}: after some updates that's the only way to bring the SIM back. You "
                    "don't lose photos or contacts, only saved Wi-Fi networks.",
                ),
            ),
        ),
        Topic(
            tags=("copertura", "chiamate-wifi"),
            titles=both(
                (
                    "In casa il telefono non prende, le chiamate cadono",
                    "Una tacca sola in casa {incity}: soluzioni?",
                ),
                (
                    "No signal indoors, my calls keep dropping",
                    "Only one bar at home in {city}: any fixes?",
                ),
            ),
            complaints=both(
                ("Da {days} giorni senza campo in casa, inaccettabile",),
                ("No signal at home for {days} days, unacceptable",),
            ),
            problems=both(
                (
                    "Con il mio {phone} le chiamate cadono appena entro in casa: una tacca al "
                    "massimo, a volte *Solo emergenze*.",
                    "Fuori il segnale è pieno, ma appena entro in casa il mio {phone} perde "
                    "campo e chi mi chiama trova la segreteria.",
                ),
                (
                    "With my {phone} calls drop as soon as I get home: one bar at best, "
                    "sometimes *Emergency calls only*.",
                    "Outside the signal is full, but as soon as I walk into my home my {phone} "
                    "loses signal and callers get voicemail.",
                ),
            ),
            answers=both(
                (
                    "Attiva le **chiamate Wi-Fi** nelle impostazioni del telefono: in casa "
                    "telefoni tramite la tua connessione e il problema del campo sparisce.",
                    "Se il problema è iniziato da poco, apri una segnalazione di copertura "
                    "dall'app indicando l'indirizzo: a volte è un'antenna guasta in zona. "
                    "Intanto le **chiamate Wi-Fi** ti salvano.",
                ),
                (
                    "Turn on **Wi-Fi calling** in the phone settings: at home your calls go "
                    "over your own connection and the signal problem disappears.",
                    "If it started recently, report a coverage problem in the app with your "
                    "address: sometimes a mast nearby is down. Meanwhile **Wi-Fi calling** "
                    "keeps you reachable.",
                ),
            ),
        ),
        Topic(
            tags=("roaming", "fattura"),
            titles=both(
                (
                    "Roaming in fattura ma non sono mai partito",
                    "Addebito di {amount} per traffico estero, perché?",
                ),
                (
                    "Roaming on my bill but I never went abroad",
                    "{amount} charged for foreign traffic, why?",
                ),
            ),
            complaints=both(
                ("Addebito di {amount} per roaming mai usato",),
                ("Charged {amount} for roaming I never used",),
            ),
            problems=both(
                (
                    "In fattura trovo {amount} di traffico in roaming, ma quei giorni ero "
                    "{incity} e non mi sono mai mosso.",
                ),
                ("My bill shows {amount} of roaming traffic, but I was in {city} the whole time.",),
            ),
            answers=both(
                (
                    "Vicino al confine il telefono può agganciarsi a una rete estera. Imposta la "
                    "selezione della rete in **manuale** e contesta l'addebito entro 45 giorni.",
                    "Nel dettaglio del traffico, in *Consumi*, vedi il nome della rete estera e "
                    "l'orario di ogni connessione. Allega quella schermata al reclamo: a me "
                    "hanno stornato tutto in un paio di settimane.",
                ),
                (
                    "Near a border the phone can latch onto a foreign network. Set network "
                    "selection to **manual** and dispute the charge within 45 days.",
                    "The traffic details under *Usage* show the foreign network's name and the "
                    "time of each connection. Attach that screenshot to your complaint: I got "
                    "everything refunded in a couple of weeks.",
                ),
            ),
        ),
        Topic(
            tags=("apn",),
            titles=both(
                (
                    "Configurazione APN per {phone}",
                    "Telefono nuovo: chiamo ma internet non va",
                ),
                ("APN settings for {phone}", "New phone: calls work but no mobile data"),
            ),
            problems=both(
                (
                    "Ho cambiato telefono e con il nuovo {phone} chiamo e ricevo SMS, ma "
                    "internet non va. Credo manchi l'APN.",
                    "Ho spostato la SIM nel nuovo {phone} e i dati mobili non partono: il "
                    "simbolo 4G c'è, ma nessuna pagina si apre.",
                ),
                (
                    "New phone: with the {phone} I can call and text, but there is no internet. "
                    "I think the APN is missing.",
                    "I moved the SIM to the {phone} and mobile data won't start: the 4G icon is "
                    "there, but no page loads.",
                ),
            ),
            answers=both(
                (
                    "L'APN corretto è `internet.connettia.it`, senza nome utente né password. "
                    "Dopo averlo salvato riavvia il telefono.",
                    "Nelle impostazioni del telefono cerca *Rete mobile > Nomi punti di "
                    "accesso* (su iPhone *Cellulare > Rete dati cellulare*), aggiungi un APN "
                    "con `internet.connettia.it` e selezionalo. Se c'è ancora quello del "
                    "vecchio operatore, cancellalo.",
                ),
                (
                    "The APN is `internet.connettia.it`, no username and no password. Reboot "
                    "after saving it.",
                    "In the phone settings look for *Mobile network > Access point names* (on "
                    "an iPhone *Mobile data > Mobile data network*), add an APN with "
                    "`internet.connettia.it` and select it. If the old carrier's APN is still "
                    "there, delete it.",
                ),
            ),
        ),
    ),
)

BOLLETTE = CategorySpec(
    slug="bollette-pagamenti",
    name="Bollette e pagamenti",
    description_it="Fatture, addebiti, domiciliazione, rimborsi e disdette.",
    description_en="Bills, charges, direct debit, refunds and cancellations.",
    weight=0.16,
    topics=(
        Topic(
            tags=("fattura", "costi-extra"),
            titles=both(
                (
                    "Bolletta di {amount}, il doppio del solito: perché?",
                    "Fattura molto più alta del solito, cosa mi addebitate?",
                ),
                (
                    "{amount} bill, twice the usual: why?",
                    "My bill is much higher than usual, what am I paying for?",
                ),
            ),
            complaints=both(
                (
                    "Addebiti non autorizzati, vergogna",
                    "Mi fatturate {amount} per un servizio mai attivato",
                    "Aumento di prezzo senza preavviso, disdico",
                ),
                (
                    "Unauthorised charges, this is shameful",
                    "Billed {amount} for a service I never activated",
                ),
            ),
            problems=both(
                (
                    "Nell'ultima fattura mi trovo un addebito di **{amount}** alla voce *Servizi "
                    "aggiuntivi* che non ho mai richiesto. L'offerta è {plan}.",
                    "Da quest'anno la bolletta è passata da {amount} a quasi il doppio e non ho "
                    "ricevuto nessuna comunicazione.",
                ),
                (
                    "My last bill has a **{amount}** charge under *Extra services* that I never "
                    "asked for. The plan is {plan}.",
                    "This year my bill went from {amount} to almost twice as much and nobody "
                    "told me.",
                ),
            ),
            answers=both(
                (
                    "Le voci *Servizi aggiuntivi* sono spesso contenuti a pagamento attivati dal "
                    "telefono. Puoi chiedere il **blocco dei servizi premium** gratis dall'area "
                    "clienti e contestare l'addebito entro 45 giorni.",
                    "Per le modifiche di prezzo deve arrivarti una comunicazione con almeno 30 "
                    "giorni di anticipo: se non l'hai ricevuta puoi recedere **senza costi**.",
                ),
                (
                    "Charges under *Extra services* are usually premium content activated from "
                    "the phone. You can ask for a free **premium services block** in your "
                    "account and dispute the charge within 45 days.",
                    "Price changes must be announced at least 30 days ahead: if you weren't "
                    "told, you can cancel **free of charge**.",
                ),
            ),
        ),
        Topic(
            tags=("sdd", "iban"),
            titles=both(
                ("Come cambio l'IBAN per la domiciliazione?",),
                ("How do I change the IBAN for direct debit?",),
            ),
            problems=both(
                (
                    "Ho cambiato banca e vorrei spostare la domiciliazione sul nuovo conto senza "
                    "saltare nessuna bolletta.",
                ),
                (
                    "I switched banks and want to move the direct debit to the new account "
                    "without missing a bill.",
                ),
            ),
            answers=both(
                (
                    "Per cambiare IBAN:\n\n1. area clienti, sezione *Pagamenti*\n2. *Modifica "
                    "metodo di pagamento*\n3. inserisci il nuovo IBAN e conferma con l'SMS\n\nLa "
                    "modifica vale dalla fattura successiva, quindi lascia aperto il vecchio "
                    "conto ancora un mese.",
                ),
                (
                    "To change the IBAN:\n\n1. open your account, *Payments* section\n2. "
                    "*Change payment method*\n3. enter the new IBAN and confirm with the text "
                    "message\n\nIt applies from the next bill, so keep the old account open one "
                    "more month.",
                ),
            ),
        ),
        Topic(
            tags=("rimborso", "disdetta"),
            titles=both(
                ("Rimborso dopo la disdetta: quanto ci vuole?",),
                ("Refund after cancelling: how long does it take?",),
            ),
            complaints=both(
                ("Rimborso promesso da {days} settimane e mai arrivato",),
                ("Refund promised weeks ago and still nothing",),
            ),
            problems=both(
                (
                    "Ho disdetto il contratto {days} settimane fa, ho restituito il modem e "
                    "aspetto ancora il rimborso di {amount} che mi avevano promesso.",
                ),
                (
                    "I cancelled {days} weeks ago, returned the modem, and I'm still waiting "
                    "for the {amount} refund I was promised.",
                ),
            ),
            answers=both(
                (
                    "Il rimborso dopo la disdetta arriva di solito entro **60 giorni** dalla "
                    "chiusura del contratto, con bonifico sull'IBAN registrato. A me sono "
                    "serviti {days} giorni.",
                    "Controlla che il reso del modem risulti registrato: finché manca, il "
                    "rimborso resta bloccato. Tieni la ricevuta della spedizione.",
                ),
                (
                    "Refunds after cancelling usually arrive within **60 days** of the contract "
                    "closing, by bank transfer to the IBAN on file. Mine took {days} days.",
                    "Check that the modem return is registered: until it is, the refund stays "
                    "on hold. Keep the shipping receipt.",
                ),
            ),
        ),
        Topic(
            tags=("fattura", "addebito"),
            titles=both(
                (
                    "Dove scarico le fatture vecchie?",
                    "Fatture dell'anno scorso: dove le trovo?",
                ),
                ("Where can I download old invoices?", "Last year's invoices: where are they?"),
            ),
            problems=both(
                (
                    "Mi servono le fatture dell'anno scorso per la dichiarazione, ma nell'app "
                    "vedo solo le ultime.",
                ),
                (
                    "I need last year's invoices for my tax return, but the app only shows the "
                    "latest ones.",
                ),
            ),
            answers=both(
                (
                    "Le fatture degli ultimi 24 mesi sono in *Area clienti > Documenti*, dal "
                    "sito e non dall'app. Quelle più vecchie vanno richieste all'assistenza.",
                    "Dal sito puoi scaricarle tutte insieme: in *Documenti* scegli l'anno e "
                    "premi *Scarica tutte*, ti arriva un file zip con i PDF. Vanno bene anche "
                    "per il commercialista.",
                ),
                (
                    "Invoices from the last 24 months are under *Account > Documents*, on the "
                    "website rather than the app. Older ones have to be requested from support.",
                    "On the website you can download them all at once: in *Documents* pick the "
                    "year and press *Download all*, and you get a zip file of PDFs. Good enough "
                    "for your accountant too.",
                ),
            ),
        ),
        Topic(
            tags=("fattura", "attivazione"),
            titles=both(
                (
                    "Cosa sono i costi di attivazione in fattura?",
                    "Costi di attivazione a rate: fino a quando li pago?",
                ),
                (
                    "What are the activation costs on my bill?",
                    "Activation costs in instalments: how long do I pay them?",
                ),
            ),
            problems=both(
                (
                    "In ogni fattura vedo una voce *Contributo di attivazione* da {amount}. "
                    "Pensavo fosse una spesa una tantum: perché continua a comparire?",
                    "Vorrei cambiare offerta, ma in bolletta ci sono ancora le rate "
                    "dell'attivazione. Se disdico adesso le devo pagare tutte?",
                ),
                (
                    "Every bill has an *Activation fee* line of {amount}. I thought it was a "
                    "one-off cost: why does it keep showing up?",
                    "I'd like to change plans, but my bill still has activation instalments on "
                    "it. If I cancel now, do I have to pay all of them?",
                ),
            ),
            answers=both(
                (
                    "I costi di attivazione sono rateizzati: li vedi in ogni fattura finché non "
                    "finisce il periodo minimo. Nel contratto c'è la tabella con le rate "
                    "residue.",
                    "Se disdici prima della fine del periodo minimo, le rate che mancano "
                    "arrivano tutte insieme nell'ultima fattura. Quante ne restano lo vedi in "
                    "*Area clienti > Contratto*.",
                ),
                (
                    "Activation costs are paid in instalments: you see them on every bill until "
                    "the minimum term ends. The contract has a table of the instalments left.",
                    "If you cancel before the minimum term ends, the remaining instalments all "
                    "come on the final bill. You can see how many are left under *Account > "
                    "Contract*.",
                ),
            ),
        ),
        Topic(
            tags=("carta", "pagamento"),
            titles=both(
                (
                    "Pagamento con carta rifiutato, codice {cardcode}",
                    "Non riesco a pagare la bolletta con la carta",
                ),
                ("Card payment declined, code {cardcode}", "I can't pay my bill by card"),
            ),
            problems=both(
                (
                    "Provo a pagare con la carta dall'app ma la transazione viene rifiutata con "
                    "codice `{cardcode}`.",
                    "Ho una bolletta scaduta e vorrei pagarla con la carta, ma quando confermo "
                    "esce l'errore `{cardcode}` e non succede nulla.",
                ),
                (
                    "Paying by card in the app fails with code `{cardcode}`.",
                    "I have an overdue bill and want to pay it by card, but when I confirm I "
                    "get error `{cardcode}` and nothing happens.",
                ),
            ),
            answers=both(
                (
                    "Il codice `{cardcode}` di solito è il 3D Secure che scade: riprova dal "
                    "browser invece che dall'app e tieni aperta l'app della banca.",
                    "A me succedeva con una carta prepagata: non tutte sono accettate. Con una "
                    "carta di credito normale, o con PayPal dal sito, il pagamento è andato a "
                    "buon fine al primo colpo.",
                ),
                (
                    "Code `{cardcode}` is usually 3D Secure timing out: retry in the browser "
                    "instead of the app and keep your banking app open.",
                    "It happened to me with a prepaid card: not all of them are accepted. With "
                    "a regular credit card, or PayPal on the website, the payment went through "
                    "first time.",
                ),
            ),
        ),
    ),
)

MODEM = CategorySpec(
    slug="modem-wifi",
    line_details=True,
    name="Modem e Wi-Fi",
    description_it="Configurazione del modem, Wi-Fi, ripetitori, porte e DNS.",
    description_en="Modem set-up, Wi-Fi, extenders, ports and DNS.",
    weight=0.16,
    topics=(
        Topic(
            tags=("wifi", "mesh", "ripetitore"),
            titles=both(
                (
                    "Wi-Fi debole al piano di sopra, che ripetitore prendo?",
                    "Rete mesh con il {modem}: esperienze?",
                ),
                ("Weak Wi-Fi upstairs, which extender should I buy?",),
            ),
            problems=both(
                (
                    "Il {modem} è in soggiorno e al piano di sopra il segnale arriva a una "
                    "tacca. La casa è su due piani con muri spessi, {incity}.",
                ),
                (
                    "The {modem} sits in the living room and upstairs I get one bar. Two floors, "
                    "thick walls, in {city}.",
                ),
            ),
            answers=both(
                (
                    "Più che un ripetitore ti consiglio un sistema **mesh** con due nodi: uno "
                    "vicino al modem via cavo e uno al piano di sopra. I ripetitori classici "
                    "dimezzano la banda.",
                    "Prima di comprare qualcosa prova a spostare il modem più in alto e lontano "
                    "da TV e microonde: a me ha fatto guadagnare due tacche.",
                ),
                (
                    "Rather than an extender, get a **mesh** system with two nodes: one wired "
                    "next to the modem and one upstairs. Classic extenders halve the bandwidth.",
                    "Before buying anything, move the modem higher up and away from the TV and "
                    "the microwave: that alone gave me two more bars.",
                ),
            ),
        ),
        Topic(
            tags=("modem", "modem-libero"),
            titles=both(
                (
                    "Posso usare il mio {ownmodem} al posto di quello Connettia?",
                    "Modem libero: come configuro il {ownmodem}?",
                ),
                (
                    "Can I use my own {ownmodem} instead of the Connettia one?",
                    "Using my own modem: how do I set up the {ownmodem}?",
                ),
            ),
            problems=both(
                (
                    "Vorrei usare il mio {ownmodem} al posto del modem Connettia. È possibile "
                    "senza perdere il telefono fisso?",
                    "Ho un {ownmodem} che uso da anni e vorrei collegarlo alla fibra Connettia. "
                    "Quali parametri devo inserire?",
                ),
                (
                    "I'd like to use my own {ownmodem} instead of the Connettia modem. Can I do "
                    "that without losing the landline?",
                    "I've had a {ownmodem} for years and want to connect it to my Connettia "
                    "fibre. Which settings do I need?",
                ),
            ),
            answers=both(
                (
                    "Sì, il modem libero è un tuo diritto. Ti servono i parametri:\n\n- VLAN: "
                    "`835`\n- protocollo: PPPoE\n- utente e password: quelli dell'area "
                    "clienti\n\nPer il fisso trovi i dati VoIP nella stessa pagina.",
                    "Io uso il {ownmodem} da un anno: internet è andato al primo colpo con VLAN "
                    "e PPPoE, per il fisso ho dovuto inserire a mano i dati VoIP dell'area "
                    "clienti. Il modem Connettia tienilo da parte, in caso di guasto te lo "
                    "chiedono.",
                ),
                (
                    "Yes, you're free to use your own modem. You need these settings:\n\n- "
                    "VLAN: `835`\n- protocol: PPPoE\n- username and password: from your account "
                    "page\n\nThe VoIP data for the landline is on the same page.",
                    "I've used the {ownmodem} for a year: internet worked first time with VLAN "
                    "and PPPoE, and for the landline I had to type in the VoIP details from my "
                    "account page. Keep the Connettia modem, though: support asks for it when "
                    "there's a fault.",
                ),
            ),
        ),
        Topic(
            tags=("port-forwarding", "gaming"),
            titles=both(
                ("Come apro le porte per la console sul {modem}?",),
                ("How do I forward ports for my console on the {modem}?",),
            ),
            problems=both(
                (
                    "Devo aprire alcune porte per giocare online ma nel pannello del {modem} la "
                    "sezione *NAT* è grigia.",
                ),
                (
                    "I need to open some ports for online gaming but the *NAT* section of the "
                    "{modem} panel is greyed out.",
                ),
            ),
            answers=both(
                (
                    "La sezione *NAT* è grigia se il modem è in modalità bridge. Entra in "
                    "*Impostazioni avanzate*, disattiva il bridge e poi trovi *Port forwarding* "
                    "sotto *Sicurezza*.",
                    "Dai alla console un **IP fisso** nella sezione DHCP, poi inoltra le porte "
                    "verso quell'indirizzo; altrimenti al primo riavvio cambia e non funziona "
                    "più niente.",
                ),
                (
                    "*NAT* is greyed out when the modem runs in bridge mode. Go to *Advanced "
                    "settings*, turn bridge off, and *Port forwarding* shows up under "
                    "*Security*.",
                    "Give the console a **fixed IP** in the DHCP section, then forward the ports "
                    "to that address; otherwise it changes at the next reboot and nothing works.",
                ),
            ),
        ),
        Topic(
            tags=("firmware", "wifi"),
            titles=both(
                ("Dopo l'aggiornamento firmware il Wi-Fi 5 GHz sparisce",),
                ("5 GHz Wi-Fi disappeared after the firmware update",),
            ),
            complaints=both(
                (
                    "Il modem nuovo è peggio del vecchio, vergognoso",
                    "Terzo modem sostituito in {days} mesi, basta",
                ),
                (
                    "The new modem is worse than the old one, shameful",
                    "Third replacement modem in {days} months. Enough!",
                ),
            ),
            problems=both(
                (
                    "Dopo l'aggiornamento automatico del firmware la rete a **5 GHz** non compare "
                    "più, vedo solo quella a 2,4 GHz.",
                ),
                (
                    "After the automatic firmware update the **5 GHz** network is gone, I only "
                    "see 2.4 GHz.",
                ),
            ),
            answers=both(
                (
                    "Dopo gli aggiornamenti il 5 GHz a volte resta spento: vai in *Wi-Fi > "
                    "Impostazioni radio* e riattivalo. Se lo trovi acceso, cambia il canale da "
                    "automatico a 36.",
                ),
                (
                    "After updates the 5 GHz radio is sometimes left off: go to *Wi-Fi > Radio "
                    "settings* and switch it back on. If it's already on, change the channel "
                    "from auto to 36.",
                ),
            ),
        ),
        Topic(
            tags=("modem",),
            line_details=False,
            titles=both(
                ("Password di amministrazione del modem dimenticata",),
                ("Forgot the modem admin password",),
            ),
            problems=both(
                (
                    "Non ricordo più la password del pannello di amministrazione del {modem} e "
                    "quella sull'etichetta non funziona.",
                ),
                (
                    "I can't remember the admin password for the {modem} and the one on the "
                    "label doesn't work.",
                ),
            ),
            answers=both(
                (
                    "Tieni premuto il tasto **Reset** per 10 secondi a modem acceso: torna la "
                    "password dell'etichetta. Ricordati che perdi le configurazioni "
                    "personalizzate.",
                ),
                (
                    "Hold the **Reset** button for 10 seconds while the modem is on: the "
                    "password goes back to the one on the label. You lose your custom settings "
                    "though.",
                ),
            ),
        ),
        Topic(
            tags=("dns", "modem"),
            titles=both(
                (
                    "Cambiare i DNS sul modem Connettia: si può?",
                    "Come imposto DNS diversi con il {modem}?",
                ),
                (
                    "Changing the DNS servers on the Connettia modem: possible?",
                    "How do I use different DNS servers with the {modem}?",
                ),
            ),
            problems=both(
                (
                    "Vorrei usare DNS diversi da quelli di Connettia, ma nel pannello del "
                    "{modem} la voce è grigia e non si può modificare.",
                    "Alcuni siti si aprono lentissimi e mi hanno consigliato di cambiare i DNS. "
                    "Sul {modem} dove si fa?",
                ),
                (
                    "I'd like to use DNS servers other than Connettia's, but in the {modem} "
                    "panel the setting is greyed out.",
                    "Some websites are painfully slow to open and I was told to change the DNS "
                    "servers. Where do I do that on the {modem}?",
                ),
            ),
            answers=both(
                (
                    "I DNS sul modem Connettia non si cambiano dal pannello, ma puoi impostarli "
                    "direttamente sui dispositivi: `1.1.1.1` e `9.9.9.9` vanno benissimo.",
                    "Se non vuoi configurarli su ogni dispositivo, metti un router tuo dietro il "
                    "{modem} e imposta lì i DNS: il modem Connettia resta solo per la linea e "
                    "tutta la casa usa i DNS che hai scelto.",
                ),
                (
                    "You can't change the DNS servers in the Connettia modem's panel, but you can "
                    "set them on each device: `1.1.1.1` and `9.9.9.9` work great.",
                    "If you don't want to set them on every device, put your own router behind "
                    "the {modem} and set the DNS servers there: the Connettia modem only handles "
                    "the line and the whole house uses the servers you chose.",
                ),
            ),
        ),
    ),
)

OFFERTE = CategorySpec(
    slug="offerte-promozioni",
    name="Offerte e promozioni",
    description_it="Nuove offerte, cambi di piano, sconti e codici promo.",
    description_en="New offers, plan changes, discounts and promo codes.",
    weight=0.09,
    topics=(
        Topic(
            tags=("cambio-offerta",),
            titles=both(
                (
                    "Conviene passare a {plan}?",
                    "Cambio offerta senza costi, è possibile?",
                    "Promo {amount} al mese: vale anche per i già clienti?",
                ),
                (
                    "Is it worth switching to {plan}?",
                    "Can I change plan without fees?",
                    "{amount} a month promo: does it apply to existing customers?",
                ),
            ),
            complaints=both(
                ("Promo per i nuovi clienti e noi fedeli niente, ridicolo",),
                ("Deals for new customers only, loyal ones get nothing",),
            ),
            grievances=both(
                (
                    "Ai nuovi clienti la {plan} costa **{amount}** al mese. Io sono cliente da "
                    "anni, pago di più per meno velocità e nessuno mi ha mai proposto niente.",
                ),
                (
                    "New customers get {plan} for **{amount}** a month. I've been a customer for "
                    "years, I pay more for less speed and nobody has ever offered me anything.",
                ),
            ),
            problems=both(
                (
                    "Ho visto in vetrina la {plan} a **{amount}** al mese. Io pago di più per "
                    "meno velocità: posso passarci mantenendo il numero?",
                ),
                (
                    "I saw {plan} advertised at **{amount}** a month. I pay more for less "
                    "speed: can I switch and keep my number?",
                ),
            ),
            answers=both(
                (
                    "Il cambio offerta verso un piano superiore è **gratuito** se fatto "
                    "dall'area clienti. Verso un piano inferiore invece ci sono {amount} di "
                    "costi amministrativi.",
                    "Le promo in vetrina sono spesso riservate ai nuovi clienti, però se chiami "
                    "e chiedi la disdetta di solito ti propongono qualcosa di simile. Io ho "
                    "ottenuto {amount} di sconto.",
                ),
                (
                    "Upgrading to a higher plan is **free** if you do it from your account. "
                    "Downgrading costs {amount} in admin fees.",
                    "Advertised deals are often for new customers only, but if you call about "
                    "cancelling they usually offer something similar. I got {amount} off.",
                ),
            ),
        ),
        Topic(
            tags=("promo", "sconto"),
            titles=both(
                (
                    "Codice amico: come funziona lo sconto?",
                    "Il codice amico non viene accettato",
                ),
                (
                    "Refer-a-friend code: how does the discount work?",
                    "My refer-a-friend code isn't accepted",
                ),
            ),
            problems=both(
                (
                    "Un amico mi ha mandato il suo codice promo ma in fase di ordine il campo "
                    "dice *codice non valido*.",
                    "Mi sono abbonato con il codice amico di mia sorella, ma nella prima "
                    "fattura lo sconto non c'è. Devo segnalarlo?",
                ),
                (
                    "A friend sent me his promo code but at checkout it says *invalid code*.",
                    "I signed up with my sister's referral code, but the discount isn't on my "
                    "first bill. Should I report it?",
                ),
            ),
            answers=both(
                (
                    "Il codice amico vale solo per i nuovi contratti e va inserito **prima** di "
                    "confermare l'indirizzo. Lo sconto compare dalla seconda fattura, per {n} "
                    "mesi.",
                    "Il codice va copiato esattamente, senza spazi: a me dava *non valido* per "
                    "uno spazio alla fine. Lo sconto non c'è mai nella prima fattura; se manca "
                    "anche nella seconda, scrivi all'assistenza indicando il codice usato.",
                ),
                (
                    "The referral code works only on new contracts and must be entered "
                    "**before** you confirm the address. The discount starts from the second "
                    "bill, for {n} months.",
                    "The code must be copied exactly, with no spaces: mine said *invalid* "
                    "because of a trailing space. The discount is never on the first bill; if "
                    "it's missing from the second too, write to support with the code you used.",
                ),
            ),
        ),
        Topic(
            tags=("unica",),
            titles=both(
                ("Unire fisso e mobile: quanto si risparmia?",),
                ("Bundling home and mobile: how much do you save?",),
            ),
            problems=both(
                (
                    "Ho fisso e mobile separati e spendo circa {amount} in tutto. Mi hanno detto "
                    "che con l'offerta unica risparmierei, ma non capisco di quanto.",
                ),
                (
                    "I have home and mobile on separate contracts, about {amount} in total. "
                    "They say the bundle would save money, but I can't work out how much.",
                ),
            ),
            answers=both(
                (
                    "Con l'offerta unica hai uno sconto fisso sul mobile. Nel mio caso ho "
                    "risparmiato circa {amount} al mese, ma controlla il vincolo di 24 mesi.",
                ),
                (
                    "The bundle gives a fixed discount on the mobile line. I save about "
                    "{amount} a month, but check the 24-month commitment.",
                ),
            ),
        ),
        Topic(
            tags=("sconto", "fattura"),
            titles=both(
                (
                    "Sconto promesso ma non applicato in fattura",
                    "Lo sconto di {amount} al mese non compare in bolletta",
                ),
                (
                    "Promised discount not applied to my bill",
                    "The {amount} a month discount isn't on my bill",
                ),
            ),
            complaints=both(
                ("Lo sconto promesso non è mai comparso in fattura",),
                ("The promised discount never showed up on my bill",),
            ),
            problems=both(
                (
                    "Quando ho attivato l'offerta mi avevano promesso uno sconto di {amount} al "
                    "mese, ma nelle ultime {n} fatture non ce n'è traccia.",
                    "Al telefono mi hanno proposto {amount} di sconto per restare e ho "
                    "accettato, ma la fattura di questo mese è uguale a prima.",
                ),
                (
                    "When I signed up I was promised {amount} off every month, but there's no "
                    "sign of it on my last {n} bills.",
                    "On the phone they offered me {amount} off to stay and I accepted, but this "
                    "month's bill is the same as before.",
                ),
            ),
            answers=both(
                (
                    "Gli sconti concordati al telefono compaiono in *Area clienti > Offerta > "
                    "Promozioni attive*: se lì non c'è, non è stato registrato. Fatti mandare la "
                    "conferma via email e chiedi lo storno delle fatture passate.",
                    "A me è successo lo stesso: ho aperto un reclamo dall'app citando la data "
                    "della telefonata e in due fatture mi hanno restituito anche gli arretrati.",
                ),
                (
                    "Discounts agreed on the phone show up under *Account > Plan > Active "
                    "promotions*: if it's not there, it was never recorded. Ask for an email "
                    "confirmation and for the past bills to be credited.",
                    "Same thing happened to me: I opened a complaint in the app quoting the "
                    "date of the call, and within two bills they refunded the arrears too.",
                ),
            ),
        ),
    ),
)

TV = CategorySpec(
    slug="tv-intrattenimento",
    line_details=True,
    name="TV e intrattenimento",
    description_it="Connettia TV, app, decoder, canali e streaming.",
    description_en="Connettia TV, apps, set-top box, channels and streaming.",
    weight=0.08,
    topics=(
        Topic(
            tags=("sport", "streaming"),
            titles=both(
                (
                    "{sportchannel} si blocca durante le partite",
                    "Partite che si bloccano su {sportchannel}, capita anche a voi?",
                ),
                (
                    "{sportchannel} freezes during matches",
                    "Matches keep stalling on {sportchannel}, anyone else?",
                ),
            ),
            complaints=both(
                (
                    "Partita persa per colpa del buffering, inaccettabile",
                    "Pago il pacchetto sport e {sportchannel} non va da {days} giorni",
                ),
                (
                    "Missed the match because of buffering, unacceptable",
                    "I pay for the sports pack and {sportchannel} has been down for {days} days",
                ),
            ),
            problems=both(
                (
                    "Ogni volta che c'è una partita su **{sportchannel}** l'immagine si blocca e "
                    "compare la rotellina. Ho la {plan} e il decoder è collegato via cavo.",
                ),
                (
                    "Every time a match is on **{sportchannel}** the picture freezes and the "
                    "spinner shows up. I'm on {plan} and the box is wired.",
                ),
            ),
            answers=both(
                (
                    "Per le partite il decoder usa il **multicast**: se hai un router tuo in "
                    "mezzo deve avere l'IGMP proxy attivo, altrimenti ogni tanto si blocca.",
                    "Prova a collegare il decoder direttamente al modem, senza switch o "
                    "powerline in mezzo: da me le partite si bloccavano per colpa della presa "
                    "powerline. Con il cavo diretto, niente più rotellina.",
                ),
                (
                    "Live matches use **multicast**: if your own router sits in between, it "
                    "needs IGMP proxy enabled, otherwise playback stalls now and then.",
                    "Try plugging the box straight into the modem, with no switch or powerline "
                    "adapter in between: my matches froze because of a powerline plug. With a "
                    "direct cable, no more spinner.",
                ),
            ),
        ),
        Topic(
            tags=("app-tv",),
            line_details=False,
            titles=both(
                (
                    "Come installo l'app Connettia TV sulla smart TV?",
                    "Connettia TV sulla smart TV senza decoder: si può?",
                ),
                (
                    "How do I install the Connettia TV app on my smart TV?",
                    "Connettia TV on a smart TV without the box: possible?",
                ),
            ),
            problems=both(
                (
                    "Ho una smart TV nuova e vorrei fare a meno del decoder in camera da letto.",
                    "Vorrei installare Connettia TV sul televisore del salotto, ma nello store "
                    "della TV non la trovo.",
                ),
                (
                    "I have a new smart TV and I'd like to do without the box in the bedroom.",
                    "I'd like to install Connettia TV on the living room TV, but I can't find it "
                    "in the TV's store.",
                ),
            ),
            answers=both(
                (
                    "L'app è nello store della TV, cercala come *Connettia TV*. Accedi con le "
                    "stesse credenziali dell'area clienti; puoi registrare fino a {n} "
                    "dispositivi.",
                    "Se nello store non c'è, probabilmente la TV è troppo vecchia per l'app: con "
                    "una chiavetta HDMI tipo Chromecast o Fire TV Stick la installi lì e "
                    "funziona come il decoder.",
                ),
                (
                    "The app is in the TV's store as *Connettia TV*. Sign in with your account "
                    "credentials; you can register up to {n} devices.",
                    "If it's not in the store, the TV is probably too old for the app: with an "
                    "HDMI stick like a Chromecast or Fire TV Stick you can install it there and "
                    "it works just like the box.",
                ),
            ),
        ),
        Topic(
            tags=("decoder",),
            titles=both(
                ("Il decoder non trova più i canali",),
                ("The set-top box lost all channels",),
            ),
            problems=both(
                (
                    "Dopo l'ultimo aggiornamento il decoder non trova più i canali: la ricerca "
                    "automatica finisce a vuoto e compare il codice `{boxcode}`.",
                ),
                (
                    "Since the last update the set-top box finds no channels: the automatic scan "
                    "ends empty and shows code `{boxcode}`.",
                ),
            ),
            answers=both(
                (
                    "Il codice `{boxcode}` indica un problema di aggiornamento: stacca la "
                    "corrente al decoder per un minuto e lascialo ripartire senza toccare il "
                    "telecomando.",
                ),
                (
                    "Code `{boxcode}` points to a failed update: unplug the box for a minute and "
                    "let it restart without touching the remote.",
                ),
            ),
        ),
        Topic(
            tags=("4k", "streaming"),
            titles=both(
                (
                    "Qualità 4K: che connessione serve?",
                    "Con la {plan} posso vedere i film in 4K?",
                ),
                (
                    "4K quality: what connection do I need?",
                    "Is {plan} enough to watch films in 4K?",
                ),
            ),
            problems=both(
                (
                    "Vorrei attivare l'opzione 4K per film e serie, ma non so se la mia {plan} "
                    "basta. In casa siamo in quattro e spesso siamo tutti connessi.",
                    "Ho comprato un televisore 4K ma i film sull'app Connettia TV si vedono "
                    "ancora in HD. Dipende dalla connessione?",
                ),
                (
                    "I'd like to add the 4K option for films and series, but I don't know if my "
                    "{plan} is enough. There are four of us at home, often all online.",
                    "I bought a 4K TV but films in the Connettia TV app still play in HD. Is it "
                    "the connection?",
                ),
            ),
            answers=both(
                (
                    "Per il 4K bastano 25 Mbps stabili, ma se in casa altri scaricano nello "
                    "stesso momento la qualità scende. Prova a limitare gli altri dispositivi "
                    "mentre guardi un film.",
                    "Oltre alla banda, controlla che il 4K sia incluso nel tuo pacchetto e che "
                    "la TV sia collegata via cavo o al Wi-Fi a 5 GHz: con il 2,4 GHz l'app "
                    "scende quasi sempre in HD.",
                ),
                (
                    "4K needs a steady 25 Mbps, but if others at home download at the same time "
                    "quality drops. Try limiting other devices while you watch.",
                    "Besides bandwidth, check that 4K is included in your pack and that the TV "
                    "is on a cable or 5 GHz Wi-Fi: on 2.4 GHz the app almost always drops to "
                    "HD.",
                ),
            ),
        ),
        Topic(
            tags=("app-tv", "fuori-casa"),
            line_details=False,
            titles=both(
                (
                    "Posso vedere {channel} fuori casa?",
                    "Connettia TV in trasferta: contenuto non disponibile",
                ),
                (
                    "Can I watch {channel} away from home?",
                    "Connettia TV while travelling: content not available",
                ),
            ),
            problems=both(
                (
                    "Vorrei guardare {channel} quando sono in trasferta per lavoro, ma l'app "
                    "dice che il contenuto non è disponibile.",
                    "Sono in vacanza e sul tablet l'app Connettia TV mi fa vedere solo alcuni "
                    "canali: {channel} risulta bloccato, mentre a casa va.",
                ),
                (
                    "I'd like to watch {channel} on business trips, but the app says the "
                    "content isn't available.",
                    "I'm on holiday and the Connettia TV app on my tablet only shows some "
                    "channels: {channel} is blocked, while at home it works.",
                ),
            ),
            answers=both(
                (
                    "Fuori casa i canali sportivi si vedono solo dall'app con il pacchetto "
                    "attivo e all'interno dell'Unione europea.",
                    "Fuori casa l'app funziona solo sui dispositivi registrati, al massimo {n}: "
                    "controlla in *Impostazioni > Dispositivi* che il tablet ci sia. Alcuni "
                    "canali, per questioni di diritti, si vedono solo dalla rete di casa.",
                ),
                (
                    "Away from home, sports channels are only available in the app with an "
                    "active pack, and only within the European Union.",
                    "Away from home the app only works on registered devices, {n} at most: "
                    "check under *Settings > Devices* that your tablet is there. Some channels, "
                    "for rights reasons, only play on your home network.",
                ),
            ),
        ),
    ),
)

LOUNGE = CategorySpec(
    slug="chiacchiere",
    name="Chiacchiere",
    description_it="Presentazioni, off-topic e vita della community.",
    description_en="Introductions, off-topic and community life.",
    weight=0.07,
    is_lounge=True,
    topics=(
        Topic(
            tags=("presentazioni", "community"),
            titles=both(
                (
                    "Presentiamoci! Da dove vi collegate?",
                    "Un saluto dai nuovi arrivati di {city}",
                ),
                (
                    "Introduce yourself! Where are you connecting from?",
                    "Moved to Italy recently, hello everyone",
                ),
            ),
            problems=both(
                (
                    "Ciao a tutti, sono nuovo da queste parti! Mi collego da {city} con la "
                    "{plan} e volevo conoscere un po' la community.",
                ),
                (
                    "Hi all, I'm new here! I'm connecting from {city} on {plan} and wanted to "
                    "say hello to the community.",
                ),
            ),
            answers=both(
                (
                    "Benvenuto! Io sono di {city}, qui la fibra va alla grande da un paio d'anni.",
                    "Ciao e benvenuto! Qui trovi sempre qualcuno disposto a dare una mano.",
                ),
                (
                    "Welcome! I'm in {city}, and fibre has been great here for a couple of years.",
                    "Welcome aboard! Someone here always knows the answer.",
                ),
            ),
        ),
        Topic(
            tags=("off-topic", "casa-smart"),
            titles=both(
                (
                    "Qual è il vostro setup di casa?",
                    "Consigli per la casa smart senza impazzire",
                ),
                ("What does your home network look like?",),
            ),
            problems=both(
                (
                    "Io ho il {modem} in soggiorno, due ripetitori e una quindicina di "
                    "dispositivi tra telefoni, TV e lampadine. Voi come siete messi?",
                ),
                (
                    "I have the {modem} in the living room, two extenders and about fifteen "
                    "devices. What about you?",
                ),
            ),
            answers=both(
                (
                    "Da me {modem}, un mesh a tre nodi e fin troppe prese smart. Funziona tutto, "
                    "incrociando le dita.",
                ),
                (
                    "Here: {modem}, a three-node mesh and too many smart plugs. It all works, "
                    "fingers crossed.",
                ),
            ),
        ),
        Topic(
            tags=("smart-working",),
            titles=both(
                ("Smart working da {city}: come vi trovate?",),
                ("Working from home in {city}: how's it going?",),
            ),
            problems=both(
                (
                    "Lavoro da casa {n} giorni a settimana e devo dire che da quando ho la fibra "
                    "le videochiamate sono un'altra cosa. Voi?",
                ),
                (
                    "I work from home {n} days a week and since I got fibre video calls are a "
                    "different story. How about you?",
                ),
            ),
            answers=both(
                (
                    "Io sto sui {n} giorni di smart working e la cosa migliore è stata tirare un "
                    "cavo fino alla scrivania.",
                ),
                (
                    "I'm at home {n} days a week too, and the best thing I did was running a "
                    "cable to my desk.",
                ),
            ),
        ),
        Topic(
            tags=("off-topic", "giga"),
            titles=both(
                (
                    "Quanti giga consumate al mese?",
                    "Giga del telefono: voi quanti ne usate davvero?",
                ),
                (
                    "How much mobile data do you use each month?",
                    "Phone data: how much do you really get through?",
                ),
            ),
            problems=both(
                (
                    "Curiosità: quanti giga usate davvero? Io con il mio {phone} sto sui 30 al "
                    "mese, quasi tutti di video.",
                ),
                (
                    "Just curious: how much data do you really use? With my {phone} I'm at around "
                    "30 GB a month, mostly video.",
                ),
            ),
            answers=both(
                (
                    "Io sotto i 10, ma a casa e in ufficio sono sempre in Wi-Fi.",
                    "Sui {n}0 giga, colpa delle serie che guardo in treno.",
                ),
                (
                    "Under 10 for me, but I'm on Wi-Fi at home and at work.",
                    "Around {n}0 GB, blame the shows I watch on the train.",
                ),
            ),
        ),
        Topic(
            tags=("off-topic", "serie-tv"),
            titles=both(
                (
                    "Che serie state guardando questa settimana?",
                    "Consigli per una serie da vedere nel weekend?",
                ),
                (
                    "What series are you watching this week?",
                    "Any series to recommend for the weekend?",
                ),
            ),
            problems=both(
                (
                    "Ho appena finito una serie e sono in crisi: voi cosa state guardando in "
                    "questi giorni? Accetto consigli di ogni genere.",
                ),
                (
                    "I've just finished a series and feel lost: what are you all watching these "
                    "days? Any genre is welcome.",
                ),
            ),
            answers=both(
                (
                    "Sto rivedendo una serie vecchia dall'inizio, ogni tanto ci vuole. E con "
                    "la fibra neanche un'interruzione.",
                    "Io sono a metà di un giallo nordico, {n} puntate in due sere. Non dico "
                    "altro per non fare spoiler!",
                ),
                (
                    "I'm rewatching an old series from the start, you need that now and then. "
                    "And not a single hiccup on fibre.",
                    "I'm halfway through a Nordic crime drama, {n} episodes in two evenings. I "
                    "won't say more, no spoilers!",
                ),
            ),
        ),
    ),
)

CATEGORIES: tuple[CategorySpec, ...] = (FIBRA, MOBILE, BOLLETTE, MODEM, OFFERTE, TV, LOUNGE)
