"""Words and Markdown templates of the demo community of Connettia, in Italian and English.

A template is Markdown with ``{slot}`` fields. Slot values come from ``SLOT_VALUES`` (per
language) or from the thread being written (``asker``, ``helper``: usernames). Values are plain
words with no Markdown or HTML meaning (see ``text.SAFE_VALUE``), so a template is rendered once
and its HTML filled in afterwards. Blocks of one post are joined by a blank line; a post never has
two list blocks in a row (they would merge into one list).
"""

from dataclasses import dataclass

Lang = str  # "it" or "en"

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
        "hour": ("21:00", "20:30", "22:15", "19:45", "23:00", "8:30", "13:00", "18:10"),
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
        "hour": ("9 pm", "8:30 pm", "10:15 pm", "7:45 pm", "11 pm", "8:30 am", "1 pm", "6 pm"),
    },
}

SHARED_VALUES: dict[str, tuple[str, ...]] = {
    "city": (
        "Milano",
        "Roma",
        "Torino",
        "Napoli",
        "Bologna",
        "Firenze",
        "Bari",
        "Palermo",
        "Genova",
        "Verona",
        "Padova",
        "Trieste",
        "Cagliari",
        "Perugia",
        "Lecce",
        "Bergamo",
        "Brescia",
        "Pescara",
        "Trento",
        "Ancona",
        "Reggio Emilia",
        "Catania",
        "Salerno",
        "Modena",
        "Parma",
        "Udine",
        "Monza",
        "Rimini",
        "Sassari",
        "Latina",
    ),
    "modem": (
        "Connettia Hub 3",
        "Connettia Hub 4 Pro",
        "Connettia FiberBox 2",
        "FRITZ!Box 7530",
        "FRITZ!Box 7590",
        "ZyXEL VMG8825",
        "TP-Link Archer VR600",
        "Connettia Hub 4",
    ),
    "code": (
        "PPP-691",
        "E-1042",
        "LOS-02",
        "DNS-503",
        "SIP-408",
        "AUTH-17",
        "E-2210",
        "GPON-LOS",
        "OLT-31",
        "E-0419",
    ),
    "speed": ("3 Mbps", "7 Mbps", "12 Mbps", "25 Mbps", "40 Mbps", "80 Mbps", "150 Mbps"),
    "plan": (
        "Connettia Fibra 2.5 Giga",
        "Connettia Fibra 1 Giga",
        "Connettia Casa 200 Mega",
        "Connettia ADSL 20 Mega",
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
    "n": ("2", "3", "4", "5", "6", "7", "9"),
}


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    description: str
    weight: float
    tags: tuple[str, ...]
    questions: dict[Lang, tuple[str, ...]]
    complaints: dict[Lang, tuple[str, ...]]
    problems: dict[Lang, tuple[str, ...]]
    answers: dict[Lang, tuple[str, ...]]
    is_lounge: bool = False


FIBRA = CategorySpec(
    slug="fibra-adsl",
    name="Fibra e ADSL",
    description=(
        "Linea fissa: FTTH, FTTC, ADSL, attivazioni, guasti e velocità. "
        "Fixed line: fibre, ADSL, activation, outages and speed."
    ),
    weight=0.26,
    tags=("ftth", "fttc", "adsl", "guasto", "velocita", "attivazione", "disservizio", "ping"),
    questions={
        "it": (
            "La fibra cade tutte le sere verso le {hour}",
            "Velocità ferma a {speed} su {plan}, è normale?",
            "Attivazione fibra a {city}: quanto ci vuole?",
            "Spia LOS rossa sul modem {modem}",
            "Errore {code} dopo il temporale",
            "Ping altissimo la sera quando gioco online",
            "Passaggio da ADSL a fibra: cosa devo fare?",
            "Disconnessioni continue, qualcuno a {city}?",
            "FTTC o FTTH? Come capisco cosa arriva a casa mia",
            "Upload bassissimo, il download invece è ok",
            "Dopo il trasloco a {city} la linea non si aggancia",
        ),
        "en": (
            "Fibre drops every evening around {hour}",
            "Stuck at {speed} on {plan}, is that normal?",
            "Fibre activation in {city}: how long does it take?",
            "Red LOS light on my {modem}",
            "Error {code} after the storm",
            "Huge ping in the evening when gaming",
            "Moving from ADSL to fibre: what do I need to do?",
            "Constant disconnections, anyone else in {city}?",
            "Upload is terrible, download is fine",
            "Line won't sync after moving to {city}",
        ),
    },
    complaints={
        "it": (
            "Terzo giorno senza linea, è uno scandalo",
            "Senza internet da {days} giorni e nessuno mi richiama",
            "Lavoro da casa e la fibra è morta di nuovo",
            "Guasto a {city}: una settimana di promesse",
            "Pago la fibra 1 Giga e vado a {speed}",
            "Il tecnico non si è presentato per la seconda volta",
        ),
        "en": (
            "Third day without internet, this is a joke",
            "No connection for {days} days and nobody calls back",
            "I work from home and the fibre is dead again",
            "Outage in {city}: a week of empty promises",
            "Paying for 1 Gbit and getting {speed}",
        ),
    },
    problems={
        "it": (
            "Da {days} giorni la connessione cade tutte le sere verso le {hour} e torna dopo "
            "qualche minuto. Il modem è un **{modem}** e la linea è una {plan} a {city}.",
            "Stamattina la spia *Internet* del {modem} era rossa e sul pannello compare "
            "l'errore `{code}`. Ho già riavviato due volte senza risultato.",
            "Con lo speed test via cavo arrivo a malapena a **{speed}**, mentre nel contratto "
            "c'è scritto ben altro. Di giorno va un po' meglio, la sera è un disastro.",
            "Ho richiesto l'attivazione {days} giorni fa ma l'ordine è fermo su *In "
            "lavorazione*. Abito a {city}, in una palazzina nuova.",
            "Il tecnico è passato, ha montato la borchia ottica e se n'è andato. Da allora il "
            "{modem} lampeggia arancione e non si connette.",
            "Giocando online il ping passa da 15 a oltre 300 ms senza motivo, soprattutto dopo "
            "le {hour}. Via Wi-Fi e via cavo è uguale.",
        ),
        "en": (
            "For {days} days the connection has been dropping every evening around {hour} and "
            "comes back after a few minutes. The modem is a **{modem}** on {plan} in {city}.",
            "This morning the *Internet* light on the {modem} was red and the admin page shows "
            "error `{code}`. I rebooted twice, nothing changed.",
            "A wired speed test barely reaches **{speed}**, which is nowhere near what the "
            "contract says. Daytime is a bit better, evenings are awful.",
            "I asked for activation {days} days ago and the order is still *In progress*. I live "
            "in {city}, in a new building.",
            "The engineer came, fitted the fibre socket and left. Since then the {modem} blinks "
            "orange and never connects.",
        ),
    },
    answers={
        "it": (
            "Prima di tutto fai un test **via cavo**, non in Wi-Fi, così escludiamo problemi di "
            "copertura:\n\n1. spegni il {modem} per 30 secondi\n2. collega il PC alla porta LAN "
            "1\n3. ripeti lo speed test a ore diverse\n\nSe resti sotto i {speed} apri una "
            "segnalazione dall'app, sezione *Assistenza*.",
            "L'errore `{code}` di solito indica un problema di autenticazione PPP. Controlla in "
            "*Impostazioni > Internet* che utente e password siano quelli della lettera di "
            "benvenuto: dopo un reset di fabbrica a volte spariscono.",
            "La spia LOS rossa vuol dire che non arriva segnale ottico: non è colpa del modem. "
            "Controlla che il cavetto non sia piegato dietro la borchia, altrimenti serve il "
            "tecnico. A me l'hanno sistemato in {days} giorni.",
            "Anche io a {city} avevo cadute la sera: era la portante che scendeva. Nella pagina "
            "di stato del modem guarda il valore **SNR**: se è sotto 6 dB la linea è disturbata "
            "e va aperto un guasto.",
            "Per passare da ADSL a fibra non devi disdire nulla: chiedi il cambio offerta "
            "dall'area clienti e mantieni lo stesso numero. L'ADSL resta attiva finché il "
            "tecnico non completa il lavoro.",
            "> Ho già riavviato due volte\n\nIl riavvio non basta se la sessione resta appesa "
            "in centrale. Lascia il modem spento per **almeno 10 minuti**: la sessione PPP "
            "scade e al riavvio ne ottieni una nuova.",
            "Segna gli orari delle cadute per un paio di giorni, così quando chiami hai dati "
            "concreti:\n\n| Giorno | Ora | Durata |\n|---|---|---|\n| lunedì | {hour} | 4 min "
            "|\n| martedì | {hour} | 7 min |\n\nCon una tabella così ti prendono molto più sul "
            "serio.",
            "Verifica la copertura sul sito inserendo l'indirizzo completo: se risulta **FTTH** "
            "la fibra arriva fino in casa, se risulta **FTTC** l'ultimo tratto è ancora in rame "
            "e oltre i 100 Mbps difficilmente vai.",
        ),
        "en": (
            "First run a **wired** test, not over Wi-Fi, to rule out coverage issues:\n\n1. "
            "switch off the {modem} for 30 seconds\n2. plug the PC into LAN port 1\n3. repeat "
            "the speed test at different times\n\nIf you stay below {speed}, open a ticket from "
            "the app, *Support* section.",
            "Error `{code}` usually means PPP authentication failed. Check under *Settings > "
            "Internet* that username and password match the welcome letter: a factory reset "
            "sometimes wipes them.",
            "A red LOS light means no optical signal reaches the modem, so it is not the modem's "
            "fault. Check that the fibre patch cord is not bent behind the socket, otherwise you "
            "need an engineer. Mine was fixed in {days} days.",
            "I had evening drops in {city} too. On the modem status page look at the **SNR** "
            "value: below 6 dB the line is noisy and you should report a fault.",
            "> I rebooted twice\n\nA reboot is not enough when the session hangs at the "
            "exchange. Leave the modem off for **at least 10 minutes** so the PPP session "
            "expires, then you get a fresh one.",
            "Check coverage on the website with your full address: **FTTH** means fibre all the "
            "way home, **FTTC** means the last stretch is copper and you will rarely get more "
            "than 100 Mbps.",
        ),
    },
)

MOBILE = CategorySpec(
    slug="mobile-sim",
    name="Mobile e SIM",
    description=(
        "SIM ed eSIM, portabilità, copertura 4G e 5G, roaming e giga. "
        "SIM and eSIM, number porting, 4G and 5G coverage, roaming and data."
    ),
    weight=0.18,
    tags=("sim", "esim", "5g", "portabilita", "roaming", "copertura", "giga", "apn"),
    questions={
        "it": (
            "Portabilità ferma da {days} giorni, è normale?",
            "Come attivo la eSIM su {phone}?",
            "Niente 5G a {city} anche se la mappa dice coperto",
            "Giga finiti a metà mese con {mobileplan}",
            "Roaming in Svizzera: quanto costa?",
            "Configurazione APN per {phone}",
            "La SIM non viene riconosciuta dopo l'aggiornamento",
            "Chiamate che cadono in galleria sulla linea per {city}",
        ),
        "en": (
            "Number porting stuck for {days} days, is that normal?",
            "How do I activate the eSIM on my {phone}?",
            "No 5G in {city} although the map says covered",
            "Data allowance gone halfway through the month on {mobileplan}",
            "Roaming in Switzerland: what does it cost?",
            "APN settings for {phone}",
            "SIM not recognised after the update",
        ),
    },
    complaints={
        "it": (
            "Numero perso durante la portabilità, sono furioso",
            "Addebito di {amount} per roaming mai usato",
            "Da {days} giorni senza campo in casa, inaccettabile",
        ),
        "en": (
            "Lost my number during porting, I am furious",
            "Charged {amount} for roaming I never used",
            "No signal at home for {days} days, unacceptable",
        ),
    },
    problems={
        "it": (
            "Ho chiesto la portabilità del numero {days} giorni fa e risulta ancora *in corso*. "
            "Nel frattempo la vecchia SIM funziona a singhiozzo.",
            "Ho un **{phone}** e vorrei passare alla eSIM, ma il QR code che mi è arrivato via "
            "email dà errore `{code}`.",
            "Sulla mappa di copertura {city} risulta in 5G, ma il telefono resta fisso in 4G "
            "anche con l'opzione attiva. L'offerta è {mobileplan}.",
            "Il contatore dell'app dice che ho già usato tutti i giga, ma a casa uso il Wi-Fi e "
            "il consumo non torna proprio.",
            "Dopo l'aggiornamento del {phone} la SIM non viene più letta: compare *Nessuna SIM* "
            "e riavviare non serve.",
        ),
        "en": (
            "I asked to port my number {days} days ago and it still says *in progress*. "
            "Meanwhile the old SIM works on and off.",
            "I have a **{phone}** and want to switch to eSIM, but the QR code I received by "
            "email fails with error `{code}`.",
            "The coverage map shows {city} as 5G, but the phone stays on 4G even with the option "
            "enabled. My plan is {mobileplan}.",
            "The app says I used all my data, but I am on Wi-Fi at home and the numbers just "
            "do not add up.",
        ),
    },
    answers={
        "it": (
            "La portabilità richiede di solito **3 giorni lavorativi**. Se sei oltre, "
            "controlla che il codice seriale della vecchia SIM fosse giusto: è l'errore più "
            "comune e blocca tutto senza avvisare.",
            "Per la eSIM su {phone}:\n\n1. vai in *Impostazioni > Cellulare*\n2. scegli "
            "*Aggiungi eSIM*\n3. inquadra il QR code **dal PC**, non dallo stesso telefono\n\nIl "
            "QR è valido una sola volta: se l'hai già scansionato va chiesto un nuovo codice.",
            "Il 5G va abilitato anche lato telefono: su {phone} trovi l'opzione in *Rete "
            "mobile > Tipo di rete preferito*. Occhio che in molte zone di {city} la copertura è "
            "solo esterna.",
            "Disattiva l'opzione *Assistenza Wi-Fi* del telefono: quando il Wi-Fi è debole passa "
            "ai dati mobili senza dirtelo. A me consumava quasi {n} giga al mese.",
            "L'APN corretto è `internet.connettia.it`, senza nome utente né password. Dopo "
            "averlo salvato riavvia il telefono.",
            "Se la SIM non viene letta prova a inserirla in un altro telefono. Se anche lì non "
            "va è guasta: la sostituzione in negozio è gratuita e mantieni numero e credito.",
        ),
        "en": (
            "Porting usually takes **3 working days**. If you are past that, check that the old "
            "SIM serial number was right: it is the most common mistake and blocks everything "
            "silently.",
            "For the eSIM on a {phone}:\n\n1. open *Settings > Mobile*\n2. choose *Add eSIM*\n"
            "3. scan the QR code **from a computer screen**, not from the same phone\n\nThe "
            "code works only once: if you already scanned it, ask for a new one.",
            "5G must be enabled on the phone too: on a {phone} look under *Mobile network > "
            "Preferred network type*. Mind that in many parts of {city} coverage is outdoor only.",
            "The APN is `internet.connettia.it`, no username and no password. Reboot after "
            "saving it.",
            "Turn off the phone's *Wi-Fi assist*: when Wi-Fi is weak it silently switches to "
            "mobile data. It was eating about {n} GB a month for me.",
        ),
    },
)

BOLLETTE = CategorySpec(
    slug="bollette-pagamenti",
    name="Bollette e pagamenti",
    description=(
        "Fatture, addebiti, domiciliazione, rimborsi e disdette. "
        "Bills, charges, direct debit, refunds and cancellations."
    ),
    weight=0.16,
    tags=("fattura", "rimborso", "addebito", "sdd", "disdetta", "costi-extra"),
    questions={
        "it": (
            "Bolletta di {amount}, il doppio del solito: perché?",
            "Come cambio l'IBAN per la domiciliazione?",
            "Rimborso dopo la disdetta: quanto ci vuole?",
            "Cosa sono i costi di attivazione in fattura?",
            "Dove scarico le fatture vecchie?",
            "Pagamento con carta rifiutato, codice {code}",
        ),
        "en": (
            "Bill of {amount} instead of the usual amount: why?",
            "How do I change the IBAN for direct debit?",
            "Refund after cancelling: how long does it take?",
            "What are the activation costs on my bill?",
            "Where can I download old invoices?",
        ),
    },
    complaints={
        "it": (
            "Addebiti non autorizzati, vergogna",
            "Mi fatturate {amount} per un servizio mai attivato",
            "Rimborso promesso da {days} settimane e mai arrivato",
            "Aumento di prezzo senza preavviso, disdico",
        ),
        "en": (
            "Unauthorised charges, shameful",
            "Billed {amount} for a service I never activated",
            "Refund promised weeks ago and still nothing",
        ),
    },
    problems={
        "it": (
            "Nell'ultima fattura mi trovo un addebito di **{amount}** alla voce *Servizi "
            "aggiuntivi* che non ho mai richiesto. L'offerta è {plan}.",
            "Ho disdetto il contratto {days} settimane fa, ho restituito il modem e aspetto "
            "ancora il rimborso di {amount} che mi avevano promesso.",
            "Ho cambiato banca e vorrei spostare la domiciliazione sul nuovo conto senza "
            "saltare nessuna bolletta.",
            "Da quest'anno la bolletta è passata da {amount} a quasi il doppio e non ho ricevuto "
            "nessuna comunicazione.",
            "Provo a pagare con la carta dall'app ma la transazione viene rifiutata con codice "
            "`{code}`.",
        ),
        "en": (
            "My last bill has a **{amount}** charge under *Extra services* that I never asked "
            "for. The plan is {plan}.",
            "I cancelled {days} weeks ago, returned the modem, and I am still waiting for the "
            "{amount} refund I was promised.",
            "I switched banks and want to move the direct debit to the new account without "
            "missing a bill.",
            "Paying by card in the app fails with code `{code}`.",
        ),
    },
    answers={
        "it": (
            "Le voci *Servizi aggiuntivi* sono spesso contenuti a pagamento attivati dal "
            "telefono. Puoi chiedere il **blocco dei servizi premium** gratis dall'area clienti "
            "e contestare l'addebito entro 45 giorni.",
            "Per cambiare IBAN:\n\n1. area clienti, sezione *Pagamenti*\n2. *Modifica metodo di "
            "pagamento*\n3. inserisci il nuovo IBAN e conferma con l'SMS\n\nLa modifica vale "
            "dalla fattura successiva, quindi lascia aperto il vecchio conto ancora un mese.",
            "Il rimborso dopo la disdetta arriva di solito entro **60 giorni** dalla chiusura "
            "del contratto, con bonifico sull'IBAN registrato. A me sono serviti {days} giorni.",
            "I costi di attivazione sono rateizzati: li vedi in ogni fattura finché non finisce "
            "il periodo minimo. Nel contratto c'è la tabella con le rate residue.",
            "Le fatture degli ultimi 24 mesi sono in *Area clienti > Documenti*. Quelle più "
            "vecchie vanno richieste all'assistenza.",
            "Il codice `{code}` di solito è il 3D Secure che scade: riprova dal browser invece "
            "che dall'app e tieni aperta l'app della banca.",
        ),
        "en": (
            "Charges under *Extra services* are usually premium content activated from the "
            "phone. You can ask for a free **premium services block** in your account and "
            "dispute the charge within 45 days.",
            "To change the IBAN:\n\n1. open your account, *Payments* section\n2. *Change payment "
            "method*\n3. enter the new IBAN and confirm with the text message\n\nIt applies from "
            "the next bill, so keep the old account open one more month.",
            "Refunds after cancelling usually arrive within **60 days** of the contract closing, "
            "by bank transfer to the IBAN on file. Mine took {days} days.",
            "Invoices from the last 24 months are under *Account > Documents*. Older ones have "
            "to be requested from support.",
        ),
    },
)

MODEM = CategorySpec(
    slug="modem-wifi",
    name="Modem e Wi-Fi",
    description=(
        "Configurazione del modem, Wi-Fi, ripetitori, porte e DNS. "
        "Modem set-up, Wi-Fi, extenders, ports and DNS."
    ),
    weight=0.16,
    tags=("modem", "wifi", "ripetitore", "dns", "port-forwarding", "mesh", "firmware"),
    questions={
        "it": (
            "Wi-Fi debole al piano di sopra, che ripetitore prendo?",
            "Posso usare il mio {modem} al posto di quello Connettia?",
            "Come apro le porte per la console sul {modem}?",
            "Dopo l'aggiornamento firmware il Wi-Fi 5 GHz sparisce",
            "Cambiare i DNS sul {modem}: si può?",
            "Password di amministrazione del modem dimenticata",
            "Rete mesh con il {modem}: esperienze?",
        ),
        "en": (
            "Weak Wi-Fi upstairs, which extender should I buy?",
            "Can I use my own {modem} instead of the Connettia one?",
            "How do I forward ports for my console on the {modem}?",
            "5 GHz Wi-Fi disappeared after the firmware update",
            "Changing DNS servers on the {modem}: possible?",
            "Forgot the modem admin password",
        ),
    },
    complaints={
        "it": (
            "Il modem nuovo è peggio del vecchio, vergognoso",
            "Terzo modem sostituito in {days} mesi, basta",
        ),
        "en": (
            "The new modem is worse than the old one, shameful",
            "Third replacement modem in {days} months, enough",
        ),
    },
    problems={
        "it": (
            "Il {modem} è in soggiorno e al piano di sopra il segnale arriva a una tacca. La casa "
            "è su due piani con muri spessi, a {city}.",
            "Dopo l'aggiornamento automatico del firmware la rete a **5 GHz** non compare più, "
            "vedo solo quella a 2,4 GHz.",
            "Vorrei usare un router mio perché il {modem} non mi permette di cambiare i DNS. È "
            "possibile senza perdere il telefono fisso?",
            "Devo aprire alcune porte per giocare online ma nel pannello del {modem} la sezione "
            "*NAT* è grigia.",
            "Non ricordo più la password del pannello di amministrazione e quella sull'etichetta "
            "non funziona.",
        ),
        "en": (
            "The {modem} sits in the living room and upstairs I get one bar. Two floors, thick "
            "walls, in {city}.",
            "After the automatic firmware update the **5 GHz** network is gone, I only see 2.4 "
            "GHz.",
            "I would like to use my own router because the {modem} does not let me change DNS. "
            "Can I do it without losing the landline?",
            "I need to open some ports for online gaming but the *NAT* section of the {modem} "
            "panel is greyed out.",
        ),
    },
    answers={
        "it": (
            "Più che un ripetitore ti consiglio un sistema **mesh** con due nodi: uno vicino al "
            "modem via cavo e uno al piano di sopra. I ripetitori classici dimezzano la banda.",
            "Sì, il modem libero è un tuo diritto. Ti servono i parametri:\n\n- VLAN: `835`\n- "
            "protocollo: PPPoE\n- utente e password: quelli dell'area clienti\n\nPer il fisso "
            "trovi i dati VoIP nella stessa pagina.",
            "La sezione *NAT* è grigia se il modem è in modalità bridge. Entra in *Impostazioni "
            "avanzate*, disattiva il bridge e poi trovi *Port forwarding* sotto *Sicurezza*.",
            "Dopo gli aggiornamenti il 5 GHz a volte resta spento: vai in *Wi-Fi > Impostazioni "
            "radio* e riattivalo. Se lo trovi acceso, cambia il canale da automatico a 36.",
            "Tieni premuto il tasto **Reset** per 10 secondi a modem acceso: torna la password "
            "dell'etichetta. Ricordati che perdi le configurazioni personalizzate.",
            "I DNS sul {modem} non si possono cambiare dal pannello, ma puoi impostarli "
            "direttamente sui dispositivi: `1.1.1.1` e `9.9.9.9` vanno benissimo.",
        ),
        "en": (
            "Rather than an extender, get a **mesh** system with two nodes: one wired next to the "
            "modem and one upstairs. Classic extenders halve the bandwidth.",
            "Yes, you are free to use your own modem. You need these settings:\n\n- VLAN: `835`"
            "\n- protocol: PPPoE\n- username and password: from your account page\n\nThe VoIP "
            "data for the landline is on the same page.",
            "*NAT* is greyed out when the modem runs in bridge mode. Go to *Advanced settings*, "
            "turn bridge off, and *Port forwarding* shows up under *Security*.",
            "Hold the **Reset** button for 10 seconds while the modem is on: the password goes "
            "back to the one on the label. You lose your custom settings though.",
            "You cannot change DNS on the {modem} panel, but you can set them on each device: "
            "`1.1.1.1` and `9.9.9.9` work great.",
        ),
    },
)

OFFERTE = CategorySpec(
    slug="offerte-promozioni",
    name="Offerte e promozioni",
    description=(
        "Nuove offerte, cambi di piano, sconti e codici promo. "
        "New plans, switching plans, discounts and promo codes."
    ),
    weight=0.09,
    tags=("promo", "cambio-offerta", "sconto", "fibra-2-5-giga", "unica"),
    questions={
        "it": (
            "Conviene passare a {plan}?",
            "Promo {amount} al mese: vale anche per i già clienti?",
            "Codice amico: come funziona lo sconto?",
            "Cambio offerta senza costi, è possibile?",
            "Unire fisso e mobile: quanto si risparmia?",
        ),
        "en": (
            "Is it worth switching to {plan}?",
            "{amount} a month promo: does it apply to existing customers?",
            "Refer-a-friend code: how does the discount work?",
            "Can I change plan without fees?",
        ),
    },
    complaints={
        "it": (
            "Promo per i nuovi clienti e noi fedeli niente, ridicolo",
            "Lo sconto promesso non è mai comparso in fattura",
        ),
        "en": (
            "Deals for new customers only, loyal ones get nothing",
            "The promised discount never showed up on my bill",
        ),
    },
    problems={
        "it": (
            "Ho visto in vetrina la {plan} a **{amount}** al mese. Io pago di più per meno "
            "velocità: posso passarci mantenendo il numero?",
            "Un amico mi ha mandato il suo codice promo ma in fase di ordine il campo dice "
            "*codice non valido*.",
            "Ho fisso e mobile separati e spendo circa {amount} in tutto. Mi hanno detto che con "
            "l'offerta unica risparmierei, ma non capisco di quanto.",
        ),
        "en": (
            "The shop window shows {plan} at **{amount}** a month. I pay more for less speed: "
            "can I switch and keep my number?",
            "A friend sent me his promo code but at checkout it says *invalid code*.",
        ),
    },
    answers={
        "it": (
            "Il cambio offerta verso un piano superiore è **gratuito** se fatto dall'area "
            "clienti. Verso un piano inferiore invece ci sono {amount} di costi amministrativi.",
            "Il codice amico vale solo per i nuovi contratti e va inserito **prima** di "
            "confermare l'indirizzo. Lo sconto compare dalla seconda fattura, per {n} mesi.",
            "Con l'offerta unica hai uno sconto fisso sul mobile. Nel mio caso ho risparmiato "
            "circa {amount} al mese, ma controlla il vincolo di 24 mesi.",
            "Le promo in vetrina sono spesso riservate ai nuovi clienti, però se chiami e chiedi "
            "la disdetta di solito ti propongono qualcosa di simile. Io ho ottenuto {amount} di "
            "sconto.",
        ),
        "en": (
            "Upgrading to a higher plan is **free** if you do it from your account. Downgrading "
            "costs {amount} in admin fees.",
            "The referral code works only on new contracts and must be entered **before** you "
            "confirm the address. The discount starts from the second bill, for {n} months.",
            "Shop-window deals are often for new customers only, but if you call about "
            "cancelling they usually offer something similar. I got {amount} off.",
        ),
    },
)

TV = CategorySpec(
    slug="tv-intrattenimento",
    name="TV e intrattenimento",
    description=(
        "Connettia TV, app, decoder, canali e streaming. "
        "Connettia TV, apps, set-top box, channels and streaming."
    ),
    weight=0.08,
    tags=("decoder", "app-tv", "sport", "4k", "streaming"),
    questions={
        "it": (
            "{channel} si blocca durante le partite",
            "Come installo l'app Connettia TV sulla smart TV?",
            "Il decoder non trova più i canali",
            "Posso vedere {channel} fuori casa?",
            "Qualità 4K: che connessione serve?",
        ),
        "en": (
            "{channel} freezes during matches",
            "How do I install the Connettia TV app on my smart TV?",
            "The set-top box lost all channels",
            "Can I watch {channel} away from home?",
        ),
    },
    complaints={
        "it": (
            "Partita persa per colpa del buffering, inaccettabile",
            "Pago il pacchetto sport e {channel} non va da {days} giorni",
        ),
        "en": (
            "Missed the match because of buffering, unacceptable",
            "I pay for the sports pack and {channel} has been down for {days} days",
        ),
    },
    problems={
        "it": (
            "Ogni volta che c'è una partita su **{channel}** l'immagine si blocca e compare la "
            "rotellina. Ho la {plan} e il decoder è collegato via cavo.",
            "Dopo l'ultimo aggiornamento il decoder riparte in continuazione e mostra il codice "
            "`{code}`.",
            "Vorrei guardare {channel} quando sono in trasferta per lavoro, ma l'app dice che il "
            "contenuto non è disponibile.",
        ),
        "en": (
            "Every time a match is on **{channel}** the picture freezes and the spinner shows "
            "up. I am on {plan} and the box is wired.",
            "Since the last update the set-top box keeps rebooting and shows code `{code}`.",
            "I would like to watch {channel} on business trips, but the app says the content is "
            "not available.",
        ),
    },
    answers={
        "it": (
            "Per le partite il decoder usa il **multicast**: se hai un router tuo in mezzo "
            "deve avere l'IGMP proxy attivo, altrimenti ogni tanto si blocca.",
            "L'app è nello store della TV, cercala come *Connettia TV*. Accedi con le stesse "
            "credenziali dell'area clienti; puoi registrare fino a {n} dispositivi.",
            "Il codice `{code}` indica un problema di aggiornamento: stacca la corrente al "
            "decoder per un minuto e lascialo ripartire senza toccare il telecomando.",
            "Fuori casa i canali sportivi si vedono solo dall'app con il pacchetto attivo e "
            "all'interno dell'Unione europea.",
        ),
        "en": (
            "Live matches use **multicast**: if your own router sits in between, it needs IGMP "
            "proxy enabled, otherwise playback stalls now and then.",
            "The app is in the TV's store as *Connettia TV*. Sign in with your account "
            "credentials; you can register up to {n} devices.",
            "Code `{code}` points to a failed update: unplug the box for a minute and let it "
            "restart without touching the remote.",
        ),
    },
)

LOUNGE = CategorySpec(
    slug="chiacchiere",
    name="Chiacchiere",
    description=(
        "Presentazioni, off-topic e vita della community. "
        "Introductions, off-topic and community life."
    ),
    weight=0.07,
    tags=("presentazioni", "off-topic", "community", "smart-working"),
    questions={
        "it": (
            "Presentiamoci! Da dove vi collegate?",
            "Qual è il vostro setup di casa?",
            "Smart working da {city}: come vi trovate?",
            "Quanti giga consumate al mese?",
            "Che serie state guardando questa settimana?",
            "Consigli per la casa smart senza impazzire",
            "Un saluto dai nuovi arrivati di {city}",
        ),
        "en": (
            "Introduce yourself! Where are you connecting from?",
            "What does your home network look like?",
            "Working from {city}: how is it going?",
            "How much mobile data do you use each month?",
            "Moved to Italy recently, hello everyone",
        ),
    },
    complaints={"it": (), "en": ()},
    problems={
        "it": (
            "Ciao a tutti, sono nuovo da queste parti! Mi collego da {city} con la {plan} e "
            "volevo conoscere un po' la community.",
            "Io ho il {modem} in soggiorno, due ripetitori e una quindicina di dispositivi tra "
            "telefoni, TV e lampadine. Voi come siete messi?",
            "Lavoro da casa {n} giorni a settimana e devo dire che da quando ho la fibra le "
            "videochiamate sono un'altra cosa. Voi?",
            "Curiosità: quanti giga usate davvero? Io con il {phone} sto sui 30 al mese, quasi "
            "tutti di video.",
        ),
        "en": (
            "Hi all, new here! I connect from {city} on {plan} and wanted to say hello to the "
            "community.",
            "I have the {modem} in the living room, two extenders and about fifteen devices. "
            "What about you?",
            "I work from home {n} days a week and since I got fibre video calls are a different "
            "story. How about you?",
        ),
    },
    answers={
        "it": (
            "Benvenuto! Io sono di {city}, qui la fibra va alla grande da un paio d'anni.",
            "Da me {modem}, un mesh a tre nodi e fin troppe prese smart. Funziona tutto, "
            "incrociando le dita.",
            "Io sto sui {n} giorni di smart working e la cosa migliore è stata tirare un cavo "
            "fino alla scrivania.",
            "Ciao e benvenuto! Qui trovi sempre qualcuno disposto a dare una mano.",
        ),
        "en": (
            "Welcome! I am in {city}, fibre has been great here for a couple of years.",
            "Here: {modem}, a three-node mesh and too many smart plugs. It all works, fingers "
            "crossed.",
            "Welcome aboard! Someone here always knows the answer.",
        ),
    },
    is_lounge=True,
)

CATEGORIES: tuple[CategorySpec, ...] = (FIBRA, MOBILE, BOLLETTE, MODEM, OFFERTE, TV, LOUNGE)

OPENERS: dict[Lang, tuple[str, ...]] = {
    "it": ("Ciao a tutti,", "Buongiorno community,", "Salve,", "Ciao,", "Buonasera a tutti."),
    "en": ("Hi all,", "Hello everyone,", "Hi,", "Good evening,"),
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
        "Ho già provato:\n\n- riavviare il modem\n- reset di fabbrica\n- cambiare cavo",
        "Cose già fatte:\n\n- chiamato il servizio clienti **due volte**\n- aperto una "
        "segnalazione dall'app\n- controllato i cavi",
    ),
    "en": (
        "What I already tried:\n\n- rebooting the modem\n- a factory reset\n- another cable",
        "Done so far:\n\n- called support **twice**\n- opened a ticket in the app\n- checked "
        "every cable",
    ),
}

ANGER: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Sono **furioso**. Pago regolarmente ogni mese e mi ritrovo senza servizio per l'ennesima "
        "volta.",
        "Ho chiamato {n} volte il servizio clienti: ogni volta un operatore diverso, ogni volta "
        "la stessa risposta, *stiamo verificando*.",
        "È uno scandalo. Ho due figli in DAD e lavoro da casa, non potete lasciarci così per "
        "{days} giorni.",
        "Cliente da anni e questo è il trattamento. Sto seriamente pensando di cambiare operatore.",
    ),
    "en": (
        "I am **furious**. I pay every month on time and here I am without service yet again.",
        "I called support {n} times: a different person every time, the same answer every "
        "time, *we are looking into it*.",
        "This is a scandal. I work from home and you cannot leave us like this for {days} days.",
        "Customer for years and this is how I am treated. Seriously thinking of switching.",
    ),
}

ANGRY_CLOSERS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Voglio sapere **quando** verrà risolto e come verrò rimborsato.",
        "Qualcuno sa come ottenere un indennizzo?",
        "Se entro domani non cambia nulla faccio reclamo all'AGCOM.",
    ),
    "en": (
        "I want to know **when** this will be fixed and how I will be compensated.",
        "Does anyone know how to get compensation?",
        "If nothing changes by tomorrow I am filing a formal complaint.",
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
        "Volevo solo dire che il tecnico passato oggi a {city} è stato gentilissimo e "
        "preciso: in un'ora la {plan} era attiva.",
        "Ho aperto la segnalazione alle {hour} e la sera stessa la linea era tornata. "
        "Quando le cose funzionano è giusto dirlo!",
        "Grazie a chi mi ha aiutato qui con il {modem}: seguendo i vostri consigli ora vado a "
        "piena velocità in tutta casa.",
    ),
    "en": (
        "Just wanted to say the engineer who came today in {city} was kind and precise: "
        "{plan} was live within an hour.",
        "I reported the fault at {hour} and the line was back the same evening. When things "
        "work it is fair to say so!",
        "Thanks to everyone who helped me here with the {modem}: following your tips I now get "
        "full speed in every room.",
    ),
}

GREETINGS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Ciao @{asker},",
        "Ciao!",
        "Ciao @{asker}, ci sono passato anche io.",
        "Benvenuto nella community!",
        "Provo a darti una mano.",
    ),
    "en": ("Hi @{asker},", "Hey,", "Welcome to the community!", "Let me try to help."),
}

ANSWER_ENDINGS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Facci sapere come va!",
        "Se non risolvi, scrivi qui e vediamo insieme.",
        "In bocca al lupo.",
    ),
    "en": ("Let us know how it goes!", "If it does not help, post here again.", "Good luck."),
}

ME_TOO: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Stesso problema anche a {city}, da {days} giorni. Seguo la discussione.",
        "Confermo, anche a me succede la stessa cosa con il {modem}.",
        "+1, mi aggiungo. Qualcuno ha novità?",
    ),
    "en": (
        "Same problem in {city}, for {days} days now. Following.",
        "Confirmed, the same happens to me with the {modem}.",
        "+1 here. Any news?",
    ),
}

FOLLOWUPS: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Grazie per la risposta. Ho provato ma purtroppo non è cambiato niente.",
        "Aggiornamento: stasera è successo di nuovo alle {hour}.",
        "Ho controllato: il modem è un {modem} e la spia Internet adesso è verde fissa.",
        "Ok, provo stasera e vi faccio sapere.",
    ),
    "en": (
        "Thanks for answering. I tried it but nothing changed, unfortunately.",
        "Update: it happened again tonight at {hour}.",
        "Checked: the modem is a {modem} and the Internet light is now solid green.",
        "Ok, I will try tonight and report back.",
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
        "I totally get it, I went through the same last year.",
        "Rough situation, especially when you work from home.",
        "I understand the anger, but we are customers like you here: let us at least narrow it "
        "down.",
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
        "if it is not on the bill, ask in writing quoting the ticket number.",
        "If the fault is not closed, the fastest route is the free online conciliation "
        "procedure: it usually ends within a few weeks.",
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
        "Hi @{asker}, Sara from the Connettia team here. I have picked up your report and passed "
        "it to our network colleagues: I will message you privately for the line details.",
        "Hi @{asker}, sorry for the trouble. There is ongoing work in the {city} area: the "
        "engineers expect to finish within {days} days.",
    ),
}

CHAT_REPLIES: dict[Lang, tuple[str, ...]] = {
    "it": (
        "Bello leggere anche messaggi positivi ogni tanto!",
        "Concordo, anche a {city} tecnici bravissimi.",
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
