"""The text of the sample corpus: a fictional municipality, Fjordvik, and its plans.

All text written for kbase. Facts are invented but shaped like real Norwegian plans.
"""

KOMMUNE = "Fjordvik kommune"
TITLE = "Temaplan for helse og omsorg 2024–2035"
RUNNING_HEADER = "Fjordvik kommune | Temaplan for helse og omsorg 2024–2035"

COVER = [
    ("title", "Temaplan for helse og omsorg"),
    ("subtitle", "2024–2035"),
    ("cover", "Fjordvik kommune"),
    ("cover", "Vedtatt i kommunestyret 12. juni 2024, sak 41/24"),
]

# (kind, content): h1/h2 headings, p paragraphs, ul bullet lists, table rows, page breaks
PLAN = [
    ("h1", "Forord"),
    (
        "p",
        "Helse- og omsorgstjenestene berører nesten alle innbyggere i løpet av livet. Denne "
        "temaplanen er kommunens svar på spørsmålet om hvordan vi skal gi gode tjenester når "
        "det blir flere eldre og færre til å hjelpe. Svaret er ikke ett enkelt tiltak, men "
        "seks veivalg som sammen skal endre måten vi jobber på.",
    ),
    (
        "p",
        "Planen er blitt til gjennom et omfattende medvirkningsarbeid. Over 300 innbyggere "
        "deltok i folkemøter og spørreundersøkelser, og ansatte i alle virksomheter har kommet "
        "med innspill. Takk til alle som har bidratt.",
    ),
    ("p", "Kari Nesheim, ordfører"),
    ("page", ""),
    ("h1", "1 Innledning"),
    ("h2", "1.1 Bakgrunn"),
    (
        "p",
        "Fjordvik kommune står foran store endringer i befolkningssammensetningen. Antallet "
        "innbyggere over 80 år vil nesten dobles fram mot 2035, samtidig som det blir færre i "
        "yrkesaktiv alder per pensjonist. Temaplanen for helse og omsorg beskriver hvordan "
        "kommunen skal møte denne utviklingen med tjenester som er faglig forsvarlige, "
        "økonomisk bærekraftige og tilpasset den enkeltes behov.",
    ),
    (
        "p",
        "Planen bygger på kommuneplanens samfunnsdel 2022–2034 og følger opp nasjonale føringer "
        "som Leve hele livet, Demensplan 2025 og Nasjonal helse- og samhandlingsplan. Den er "
        "utarbeidet i samarbeid med brukerorganisasjoner, eldrerådet, rådet for personer med "
        "funksjonsnedsettelse, tillitsvalgte og Helse Vestkysten HF.",
    ),
    ("h2", "1.2 Planens formål og avgrensning"),
    (
        "p",
        "Temaplanen gjelder alle helse- og omsorgstjenester som kommunen har ansvar for, "
        "med unntak av barnevernet. Planen peker ut seks veivalg som skal ligge til grunn for "
        "utviklingen av tjenestene i hele planperioden. Veivalgene skal brukes når virksomhetene "
        "lager egne planer, og når kommunestyret prioriterer i budsjett og økonomiplan.",
    ),
    (
        "p",
        "Handlingsdelen i kapittel 5 rulleres hvert år i forbindelse med budsjettarbeidet. "
        "Selve temaplanen revideres i 2028, eller tidligere dersom forutsetningene endrer seg "
        "vesentlig.",
    ),
    ("page", ""),
    ("h1", "2 Utfordringsbilde"),
    ("h2", "2.1 Befolkningsutvikling"),
    (
        "p",
        "Fjordvik har i dag 12 480 innbyggere. Statistisk sentralbyrås hovedalternativ viser at "
        "folketallet vil ligge nokså stabilt, men at aldersfordelingen endrer seg kraftig. "
        "Gruppen 67 år og eldre vil øke fra 2 310 personer i 2024 til om lag 3 400 i 2035. "
        "Samtidig blir det færre barn og unge, og færre innbyggere i alderen 20 til 66 år.",
    ),
    (
        "p",
        "Dette betyr at etterspørselen etter helse- og omsorgstjenester vil vokse raskere enn "
        "tilgangen på arbeidskraft. Dersom kommunen fortsetter å yte tjenester på samme måte som "
        "i dag, vil det være behov for 95 nye årsverk innen 2035. Det er verken realistisk å "
        "rekruttere eller å finansiere en slik vekst.",
    ),
    ("h2", "2.2 Nøkkeltall"),
    (
        "p",
        "Tabellen viser utvalgte nøkkeltall for helse- og omsorgstjenestene i Fjordvik ved "
        "utgangen av 2023.",
    ),
    (
        "table",
        [
            [
                "Innbyggere 80 år og eldre",
                "Plasser med heldøgns omsorg",
                "Korttidsplasser",
                "Mottakere av hjemmetjenester",
                "Andel heltidsstillinger",
            ],
            ["612", "96", "14", "438", "41 %"],
        ],
    ),
    (
        "p",
        "Dekningsgraden for plasser med heldøgns omsorg er 15,7 prosent av innbyggerne over "
        "80 år, noe som er høyere enn landsgjennomsnittet. Samtidig er andelen som mottar "
        "hjemmesykepleie lavere enn i sammenlignbare kommuner. Kommunen bruker med andre ord "
        "mer av ressursene på institusjon og mindre på tjenester i hjemmet.",
    ),
    ("h2", "2.3 Rekruttering og kompetanse"),
    (
        "p",
        "Det er allerede i dag vanskelig å rekruttere sykepleiere og vernepleiere. I 2023 stod "
        "i gjennomsnitt 11 sykepleierstillinger ubesatt, og kommunen brukte 6,2 millioner kroner "
        "på innleie fra vikarbyrå. Mange ansatte arbeider deltid, og bare 41 prosent av "
        "stillingene i helse og omsorg er heltidsstillinger.",
    ),
    (
        "p",
        "Kommunen skal bygge en heltidskultur, ta imot flere lærlinger i helsearbeiderfaget og "
        "legge til rette for videreutdanning i demensomsorg, rehabilitering og lindrende "
        "behandling. Riktig kompetanse på rett sted er en forutsetning for alle veivalgene i "
        "planen.",
    ),
    ("page", ""),
    ("h1", "3 Veivalg"),
    (
        "p",
        "Kommunestyret har vedtatt seks veivalg for helse- og omsorgstjenestene. Veivalgene "
        "gjelder på tvers av virksomhetene og skal gjøre det enklere å prioritere når behovene "
        "vokser raskere enn ressursene.",
    ),
    ("h2", "3.1 Tilrettelegge for mestring"),
    (
        "p",
        "Innbyggerne i Fjordvik skal få hjelp til å mestre hverdagen selv så lenge som mulig. "
        "Før kommunen tildeler varige tjenester, skal det vurderes om hverdagsrehabilitering, "
        "opplæring eller hjelpemidler kan gjøre den enkelte mer selvhjulpen. Utgangspunktet for "
        "samtalen er spørsmålet «Hva er viktig for deg?».",
    ),
    (
        "p",
        "Hverdagsrehabiliteringen ble innført i hjemmetjenesten i 2021. Tre av fire som har "
        "fått et slikt tilbud, hadde mindre behov for hjelp etter seks uker. Tilbudet skal "
        "utvides til alle soner i kommunen, og det skal knyttes tettere til frisklivssentralen "
        "og lærings- og mestringstilbudet.",
    ),
    (
        "ul",
        [
            "Forebyggende hjemmebesøk til alle som fyller 78 år",
            "Frisklivssentral med treningsgrupper, kostholdskurs og røykesluttkurs",
            "Hverdagsrehabilitering som førstevalg ved nye søknader om hjemmetjenester",
        ],
    ),
    ("h2", "3.2 Nærmest mulig, lengst mulig"),
    (
        "p",
        "De fleste ønsker å bo hjemme så lenge som mulig. Kommunen skal gi tjenestene der folk "
        "bor, og utvikle hjemmetjenestene slik at flere kan få trygg hjelp i eget hjem også når "
        "behovene øker. Velferdsteknologi som digitalt tilsyn, elektroniske dørlåser og "
        "medisindispensere skal være en del av ordinær drift.",
    ),
    (
        "p",
        "Kommunen skal også stimulere til at eldre tilpasser boligen sin i tide, og samarbeide "
        "med private utbyggere om aldersvennlige boliger i sentrum av Fjordvik og på Nesheim. "
        "Omsorgsboliger nær nærmiljøet skal prioriteres foran nye institusjonsplasser.",
    ),
    ("h2", "3.3 Sentraliserte tjenester til spesielle behov"),
    (
        "p",
        "Noen tjenester krever spesialisert kompetanse og heldøgns bemanning. Disse skal samles "
        "i et nytt helsehus på Sentrumstomta, med korttidsplasser, rehabiliteringsplasser, "
        "kommunale akutte døgnplasser og en egen demensavdeling. Ved å samle flere tjenester under "
        "samme tak blir fagmiljøene robuste og vaktordningene mer effektive.",
    ),
    (
        "p",
        "Helsehuset skal stå ferdig i 2028 og erstatte Solbakken sykehjem, som ikke lenger er "
        "egnet for dagens krav. Antallet plasser med heldøgns omsorg skal holdes på dagens nivå, "
        "mens veksten i behov møtes med flere heldøgns bemannede omsorgsboliger.",
    ),
    ("h2", "3.4 Trygge overganger"),
    (
        "p",
        "Pasienter og brukere skal oppleve sammenhengende tjenester når de flytter mellom "
        "sykehus, korttidsopphold og eget hjem. Koordinerende enhet skal sørge for at alle med "
        "behov for langvarige og koordinerte tjenester får tilbud om individuell plan og en fast "
        "koordinator.",
    ),
    (
        "p",
        "Utskrivning fra sykehuset skal planlegges i samarbeid med Helse Vestkysten HF, "
        "pasienten og pårørende. Kommunen skal ta i bruk digitale meldinger og felles "
        "pasientforløp for de største pasientgruppene, slik at informasjon følger pasienten og "
        "ingen blir stående uten oppfølging de første dagene etter hjemkomst.",
    ),
    ("h2", "3.5 Fra storbruker til superbruker"),
    (
        "p",
        "En liten gruppe innbyggere står for en stor del av kommunens tjenestebruk. Kommunen "
        "skal arbeide systematisk for at personer med kroniske sykdommer blir aktive og "
        "kunnskapsrike brukere av egen helse. Digital hjemmeoppfølging av personer med KOLS, "
        "hjertesvikt og diabetes skal tilbys alle som kan ha nytte av det.",
    ),
    (
        "p",
        "Brukermedvirkning skal være en fast del av tjenesteutviklingen, og brukerne skal ha "
        "en stemme både i egen behandling og når nye tjenester utformes. Storbrukere av "
        "legevakt og sykehus skal få en egen oppfølgingsplan.",
    ),
    ("h2", "3.6 Seniorkraft"),
    (
        "p",
        "Eldre er en ressurs for lokalsamfunnet. Mange pensjonister har tid, erfaring og lyst "
        "til å bidra. Kommunen skal sammen med frivilligsentralen, pensjonistforeningene og "
        "lag og organisasjoner legge til rette for seniorfrivillighet og et aldersvennlig "
        "Fjordvik, der seniorsenteret er en viktig møteplass.",
    ),
    (
        "ul",
        [
            "Seniorvenn-ordning i regi av frivilligsentralen",
            "Møteplasser og aktiviteter på seniorsenteret alle hverdager",
            "Aldersvennlig stedsutvikling i samarbeid med eldrerådet",
        ],
    ),
    ("page", ""),
    ("h1", "4 Satsingsområder"),
    ("h2", "4.1 Demens"),
    (
        "p",
        "Om lag 210 innbyggere i Fjordvik lever med demens, og tallet ventes å øke til 330 innen "
        "2035. Kommunen skal ha et demensteam som gir utredning, oppfølging og veiledning til "
        "pårørende. Dagaktivitetstilbudet for hjemmeboende personer med demens skal utvides fra "
        "tre til fem dager i uka.",
    ),
    (
        "p",
        "Den nye demensavdelingen i helsehuset skal ha 24 plasser fordelt på tre bogrupper med "
        "skjermet uteareal. Ansatte i alle tjenester skal ha grunnopplæring gjennom "
        "Demensomsorgens ABC.",
    ),
    ("h2", "4.2 Velferdsteknologi og digitalisering"),
    (
        "p",
        "Velferdsteknologi skal bidra til økt trygghet, mestring og selvstendighet, og frigjøre "
        "tid for de ansatte. Kommunen har siden 2022 tatt i bruk digitale trygghetsalarmer, "
        "sensorer for fallvarsling og elektroniske medisindispensere. Gevinstene skal hentes ut "
        "systematisk og rapporteres årlig.",
    ),
    (
        "p",
        "En felles velferdsteknologisk plattform for Fjordvik og nabokommunene skal være på "
        "plass innen 2026. Samtidig skal det nye journalsystemet gjøre det enklere å dele "
        "informasjon med fastleger og sykehus.",
    ),
    ("h2", "4.3 Pårørende og frivillighet"),
    (
        "p",
        "Pårørende gjør en uvurderlig innsats og skal bli sett, hørt og involvert. Kommunen "
        "skal tilby pårørendeskole, avlastning og en fast kontaktperson for pårørende med "
        "tunge omsorgsoppgaver. Frivilligsentralen skal få økt tilskudd for å rekruttere og "
        "følge opp frivillige i helse- og omsorgstjenestene.",
    ),
    ("h2", "4.4 Psykisk helse og rus"),
    (
        "p",
        "Tjenestene innen psykisk helse og rus skal være lett tilgjengelige, uten henvisning "
        "og uten lang ventetid. Lavterskeltilbudet Rask psykisk helsehjelp videreføres, og det "
        "skal etableres et FACT-team sammen med distriktspsykiatrisk senter. Barn og unge "
        "skal få tidlig hjelp gjennom et tett samarbeid mellom skolehelsetjenesten og "
        "psykisk helsetjeneste.",
    ),
    ("h2", "4.5 Beredskap og klima"),
    (
        "p",
        "Pandemien viste at helse- og omsorgstjenestene må ha oppdaterte beredskapsplaner, "
        "smittevernutstyr på lager og rutiner for å omdisponere personell. Planverket skal "
        "øves årlig. Klimaendringer med mer ekstremvær kan gi lengre strømbrudd og stengte "
        "veier; hjemmetjenesten skal derfor ha oversikt over sårbare brukere og reserveløsninger "
        "for velferdsteknologien.",
    ),
    ("h2", "4.6 Lindrende behandling"),
    (
        "p",
        "Alle som trenger det, skal få god lindrende behandling og omsorg ved livets slutt, "
        "også i eget hjem. Kommunen skal ha en ressurssykepleier i kreftomsorg og lindring i "
        "hver sone, og helsehuset skal ha to lindrende enheter. Legevakten og fastlegene skal "
        "ha felles rutiner for palliative pasienter.",
    ),
    ("page", ""),
    ("h1", "5 Handlingsdel"),
    (
        "p",
        "Tabellen viser tiltakene som skal gjennomføres i perioden 2024–2027. Handlingsdelen "
        "rulleres årlig sammen med budsjett og økonomiplan.",
    ),
    (
        "table",
        [
            ["Tiltak", "Veivalg", "Ansvar", "Frist", "Kostnad"],
            [
                "Utvide hverdagsrehabilitering til alle soner",
                "Tilrettelegge for mestring",
                "Kommunalsjef helse og omsorg",
                "2025",
                "1,8 mill. kr",
            ],
            [
                "Innføre digitalt tilsyn som standardtjeneste",
                "Nærmest mulig, lengst mulig",
                "Leder hjemmetjenesten",
                "2025",
                "0,9 mill. kr",
            ],
            [
                "Bygge nytt helsehus på Sentrumstomta",
                "Sentraliserte tjenester",
                "Kommunalsjef samfunnsutvikling",
                "2028",
                "420 mill. kr",
            ],
            [
                "Etablere felles pasientforløp med Helse Vestkysten",
                "Trygge overganger",
                "Koordinerende enhet",
                "2026",
                "Innenfor ramme",
            ],
            [
                "Digital hjemmeoppfølging for KOLS og hjertesvikt",
                "Fra storbruker til superbruker",
                "Leder helsetjenester",
                "2026",
                "0,6 mill. kr",
            ],
            [
                "Seniorvenn-ordning og økt tilskudd til frivilligsentralen",
                "Seniorkraft",
                "Leder kultur og frivillighet",
                "2024",
                "0,3 mill. kr",
            ],
        ],
    ),
    ("page", ""),
    ("h1", "6 Økonomi og gjennomføring"),
    (
        "p",
        "Netto driftsutgifter til pleie og omsorg var 312 millioner kroner i 2023, eller 38 "
        "prosent av kommunens samlede driftsutgifter. Uten omstilling vil utgiftene øke med om "
        "lag 4 prosent hvert år utover den demografiske veksten i rammene. Planen forutsetter "
        "derfor en gradvis vridning fra institusjon til hjemmebaserte tjenester.",
    ),
    (
        "p",
        "Investeringene i helsehuset finansieres med lån og investeringstilskudd fra "
        "Husbanken. Økonomiske konsekvenser av tiltakene i handlingsdelen innarbeides i "
        "budsjett og økonomiplan hvert år. Rådmannen rapporterer på måloppnåelse i "
        "årsmeldingen.",
    ),
    ("h2", "6.1 Organisering av arbeidet"),
    (
        "p",
        "Arbeidet med planen ledes av kommunalsjef for helse og omsorg. Hver virksomhet lager "
        "en egen tiltaksplan som viser hvordan veivalgene følges opp. OU-prosessen i "
        "hjemmetjenesten, som starter høsten 2024, skal organisere tjenesten i tre soner med "
        "egne tverrfaglige team.",
    ),
    ("page", ""),
    ("h1", "7 Ordliste"),
    ("p", "Ordlisten forklarer begreper som brukes i planen."),
    (
        "ul",
        [
            "Hverdagsrehabilitering: tidsavgrenset og intensiv opptrening i brukerens eget hjem, "
            "med mål om å mestre dagliglivets aktiviteter",
            "Heldøgns omsorg: tjenester som gis hele døgnet, i sykehjem eller i bemannede "
            "omsorgsboliger",
            "Korttidsopphold: et tidsavgrenset opphold i institusjon for utredning, behandling, "
            "rehabilitering eller avlastning",
            "Koordinerende enhet: kommunens kontaktpunkt for personer som trenger langvarige og "
            "koordinerte tjenester",
            "Velferdsteknologi: teknologisk assistanse som gir økt trygghet, sikkerhet, "
            "sosial deltakelse og mobilitet",
            "Frisklivssentral: kommunalt tilbud om hjelp til å endre levevaner, som fysisk "
            "aktivitet, kosthold og tobakk",
        ],
    ),
]

PRESS_RELEASE = {
    "title": "Fjordvik bygger nytt helsehus med demensavdeling",
    "date": "2024-06-13T10:00:00+02:00",
    "lead": "Kommunestyret i Fjordvik vedtok onsdag temaplanen for helse og omsorg. Et nytt "
    "helsehus på Sentrumstomta skal samle korttidsplasser, rehabilitering og en ny "
    "demensavdeling under samme tak.",
    "body": [
        (
            "p",
            "Temaplanen for helse og omsorg 2024–2035 ble vedtatt mot tre stemmer. Planen slår "
            "fast at flest mulig skal kunne bo hjemme lenge, med hjelp fra hjemmetjenesten og "
            "velferdsteknologi, mens tjenester som krever spesialisert kompetanse samles i det "
            "nye helsehuset.",
        ),
        (
            "p",
            "– Vi vet at det blir mange flere eldre i Fjordvik, og at vi ikke kan løse det med "
            "flere sykehjemsplasser alene. Med helsehuset får vi et sterkt fagmiljø, og samtidig "
            "satser vi på at folk skal mestre hverdagen i eget hjem, sier ordfører Kari Nesheim.",
        ),
        ("h2", "24 plasser for personer med demens"),
        (
            "p",
            "Helsehuset skal stå ferdig i 2028. Det får 24 plasser i en egen demensavdeling, "
            "korttidsplasser og rehabiliteringsplasser, i tillegg til legevakt og kommunale "
            "akutte døgnplasser. Solbakken sykehjem legges ned når helsehuset tas i bruk.",
        ),
        (
            "p",
            "Kommunen vil også utvide dagaktivitetstilbudet for hjemmeboende med demens og gi "
            "pårørende bedre avlastning.",
        ),
        ("h2", "Hverdagsrehabilitering i hele kommunen"),
        (
            "p",
            "Fra neste år skal hverdagsrehabilitering tilbys i alle soner. Erfaringene fra "
            "prøveperioden er gode: tre av fire deltakere trengte mindre hjelp etter seks uker.",
        ),
    ],
    "contact": [
        ("Kommunalsjef helse og omsorg", "Ola Bergseth", "911 22 333"),
        ("Ordfører", "Kari Nesheim", "922 33 444"),
    ],
}

NOTE_MD = """\
# Referat fra dialogmøte med eldrerådet

Fjordvik kommune, 4. mars 2025

Eldrerådet og kommunalsjef for helse og omsorg møttes for å drøfte oppfølgingen av
temaplanen for helse og omsorg. Referatet er godkjent av eldrerådets leder.

## Seniorkraft og frivillighet

Eldrerådet er positive til seniorvenn-ordningen. Rådet ønsker at frivilligsentralen får
ansvar for opplæring av nye seniorvenner, og at ordningen også når ut til
innbyggere i distriktet. Flere pensjonister har meldt seg som besøksvenner på
sykehjemmet og som sjåfører til dagaktivitetstilbudet.

## Pårørende

Rådet tok opp at pårørende til personer med demens opplever det som krevende å finne
fram i tjenestene. Kommunen vil opprette en fast kontaktperson for pårørende og starte
en ny pårørendeskole til høsten.

## Velferdsteknologi

- Flere eldre ønsker opplæring i bruk av nettbrett og digitale trygghetsalarmer
- Eldrerådet ber om at det tilbys hjelp på nynorsk og bokmål
- Kommunen vil lage en enkel veileder om digitalt tilsyn

## Neste møte

Neste dialogmøte holdes i juni. Da skal rådet få en orientering om byggingen av
helsehuset og om planene for aldersvennlige boliger på Nesheim.
"""

DECK_TITLE = "Temaplan for helse og omsorg – status etter ett år"
DECK = [
    # (title, bullets, table rows or None, notes)
    (
        DECK_TITLE,
        ["Orientering for utvalg for helse og omsorg", "Fjordvik kommune, 4. mars 2025"],
        None,
        "",
    ),
    (
        "Seks veivalg ligger fast",
        [
            "Tilrettelegge for mestring",
            "Nærmest mulig, lengst mulig",
            "Sentraliserte tjenester til spesielle behov",
            "Trygge overganger",
            "Fra storbruker til superbruker",
            "Seniorkraft",
        ],
        None,
        "Veivalgene ble vedtatt av kommunestyret i juni 2024 og ligger fast i hele planperioden.",
    ),
    (
        "Nøkkeltall 2024",
        [],
        [
            ["Innbyggere 80+", "Heldøgnsplasser", "Korttidsplasser", "Hjemmetjenester"],
            ["641", "96", "16", "452"],
        ],
        "Tallene er hentet fra KOSTRA og kommunens fagsystem per 31. desember 2024.",
    ),
    (
        "Hverdagsrehabilitering i alle soner",
        [
            "Tilbudet er utvidet fra to til fire soner",
            "81 brukere fikk hverdagsrehabilitering i 2024",
            "Tre av fire trenger mindre hjelp etter seks uker",
        ],
        None,
        "Fysioterapeut og ergoterapeut er ansatt i faste stillinger fra januar.",
    ),
    (
        "Helsehuset – fremdrift",
        [
            "Forprosjektet ble ferdig høsten 2024",
            "Byggestart mai 2025",
            "Innflytting våren 2028, med demensavdeling og korttidsplasser",
        ],
        None,
        "Kostnadsrammen på 420 millioner kroner er uendret etter forprosjektet.",
    ),
    (
        "Videre arbeid",
        [
            "Digitalt tilsyn som standardtjeneste",
            "Felles pasientforløp med helseforetaket",
            "Seniorvenn-ordning i alle grender",
        ],
        None,
        "",
    ),
]

SAK = {
    "title": "Temaplan for helse og omsorg 2024–2035 – sluttbehandling",
    "meta": [
        ["Saksbehandler", "Ola Bergseth"],
        ["Arkivsak", "23/1187"],
        ["Utvalg", "Kommunestyret"],
        ["Møtedato", "12.06.2024"],
    ],
    "sections": [
        ("h1", "Kommunedirektørens innstilling"),
        (
            "p",
            "Kommunestyret vedtar Temaplan for helse og omsorg 2024–2035 med de seks veivalgene "
            "som grunnlag for utviklingen av helse- og omsorgstjenestene.",
        ),
        ("h1", "Saksopplysninger"),
        ("h2", "Bakgrunn"),
        (
            "p",
            "Kommunestyret vedtok i 2022 å utarbeide en temaplan for helse og omsorg. Planen skal "
            "vise hvordan kommunen kan gi gode tjenester når antallet eldre øker og det blir "
            "færre ansatte per tjenestemottaker.",
        ),
        ("h2", "Høring"),
        (
            "p",
            "Planutkastet var på høring fra 15. januar til 1. mars 2024. Det kom inn 14 "
            "høringsinnspill, blant annet fra:",
        ),
        (
            "ul",
            [
                "Eldrerådet",
                "Rådet for personer med funksjonsnedsettelse",
                "Fagforbundet",
                "Fjordvik pensjonistforening",
            ],
        ),
        (
            "table",
            [
                ["Innspill fra", "Tema", "Kommunedirektørens vurdering"],
                ["Eldrerådet", "Seniorvenn-ordning", "Tatt inn i handlingsdelen"],
                ["Fagforbundet", "Heltidskultur", "Tatt inn i kapittel 2.3"],
                [
                    "Pensjonistforeningen",
                    "Transport til dagtilbud",
                    "Vurderes i budsjettet for 2025",
                ],
            ],
        ),
        ("h1", "Vurdering"),
        (
            "p",
            "Kommunedirektøren mener planen gir en tydelig retning for tjenestene. Veivalget om "
            "nærmest mulig, lengst mulig krever at hjemmetjenesten styrkes før antallet "
            "institusjonsplasser kan holdes på dagens nivå.",
        ),
        ("h2", "Økonomiske konsekvenser"),
        (
            "p",
            "Tiltakene i handlingsdelen innarbeides i budsjett og økonomiplan. Investeringen i "
            "helsehuset, anslått til 420 millioner kroner, legges fram som egen sak.",
        ),
    ],
}
