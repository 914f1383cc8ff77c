//! Word lists the seed draws names and texts from, and the small random draws built on them.

use chrono::{Duration, NaiveDateTime};
use rand::rngs::StdRng;
use rand::Rng;

// ---- word lists ----------------------------------------------------------------------

/// (occupation, title, DISCO-08 code)
pub(super) const OCCUPATIONS: &[(&str, &str, &str)] = &[
    ("Kok", "Kok til kantine", "5120"),
    ("Lagerarbejder", "Lagermedarbejder", "9333"),
    ("Rengøringsassistent", "Rengøringsassistent", "9112"),
    ("Chauffør", "Buschauffør", "8331"),
    ("Pædagogmedhjælper", "Pædagogmedhjælper", "5311"),
    ("Butiksassistent", "Butiksassistent", "5223"),
    ("Tømrer", "Tømrer", "7115"),
    ("Social- og sundhedshjælper", "SOSU-hjælper", "5322"),
    ("Social- og sundhedsassistent", "SOSU-assistent", "3221"),
    ("Elektriker", "Elektriker til service", "7411"),
    ("Smed", "Klejnsmed", "7214"),
    ("Murer", "Murer", "7112"),
    ("Lastbilchauffør", "Lastbilchauffør C/CE", "8332"),
    ("Kontorassistent", "Kontorassistent", "4110"),
    ("Tjener", "Tjener", "5131"),
    ("Køkkenmedhjælper", "Køkkenmedhjælper", "9412"),
    ("Gartner", "Anlægsgartner", "6113"),
    ("Produktionsmedarbejder", "Produktionsmedarbejder", "8189"),
    ("Truckfører", "Truckfører", "8344"),
    ("Sygeplejerske", "Sygeplejerske", "2221"),
    ("Salgsassistent", "Salgsassistent", "5249"),
    ("Maler", "Maler", "7131"),
    ("Mekaniker", "Automekaniker", "7231"),
    ("Receptionist", "Receptionist", "4226"),
    ("Bager", "Bager", "7512"),
];

pub(super) const COMPANY_STEMS: &[&str] = &[
    "Nordbyg",
    "Kantinen Vest",
    "Logistik Syd",
    "Rent & Pænt",
    "Bybusserne",
    "Børnehuset Solsikken",
    "Købmanden",
    "Plejecenter Lyngbo",
    "Elteknik",
    "Stål & Smed",
    "Havnens Fisk",
    "Grøn Have",
    "Fragtmanden",
    "Kontorhuset",
    "Bageriet",
    "Malerfirmaet Farve",
    "Autoværkstedet",
    "Hotel Strand",
    "Produktion Øst",
    "Sundhedshuset",
];

pub(super) const PLACES: &[&str] = &[
    "Brøndby",
    "Glostrup",
    "Herlev",
    "Hillerød",
    "Køge",
    "Roskilde",
    "Odense",
    "Aarhus",
    "Aalborg",
    "Esbjerg",
    "Vejle",
    "Horsens",
    "Randers",
    "Kolding",
    "Silkeborg",
    "Næstved",
    "Holbæk",
    "Slagelse",
    "Viborg",
    "Herning",
];

pub(super) const SUFFIXES: &[&str] = &["A/S", "ApS", "I/S", "K/S"];

pub(super) const FIRST_NAMES: &[&str] = &[
    "Anna", "Bo", "Cecilie", "Dorte", "Emil", "Frida", "Gustav", "Hanne", "Ida", "Jens", "Karen", "Lars", "Mette",
    "Niels", "Oliver", "Pia", "Rasmus", "Sofie", "Thomas", "Ulla", "Victor", "William", "Yasmin", "Zainab", "Ahmed",
    "Maja", "Freja", "Mikkel", "Louise", "Peter",
];

pub(super) const LAST_NAMES: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
];

pub(super) const NETWORK_NAMES: &[&str] = &["HRS", "NRS", "SRS", "MRS", "VRS", "ØRS", "FRS", "BRS"];

pub(super) const ORDER_TYPES: &[(&str, u32)] = &[("Jobordre", 80), ("Løntilskud", 10), ("Virksomhedspraktik", 10)];

pub(super) const TASK_SENTENCES: &[&str] = &[
    "Du indgår i et travlt team med gode kolleger.",
    "Oplæring gives de første uger.",
    "Arbejdet foregår primært i dagtimerne.",
    "Der er mulighed for fastansættelse efter prøvetiden.",
    "Du skal kunne arbejde selvstændigt og tage ansvar.",
    "Virksomheden lægger vægt på mødestabilitet.",
    "Opgaverne varierer fra dag til dag.",
    "Du får en fast kontaktperson på arbejdspladsen.",
    "Kendskab til branchen er en fordel, men ikke et krav.",
    "Arbejdspladsen er tilgængelig med offentlig transport.",
];

pub(super) const QUALIFICATIONS: &[&str] = &[
    "Overenskomstmæssig løn. Kørekort B er en fordel.",
    "Løn efter kvalifikationer. Ren straffeattest.",
    "Timeløn 165 kr. plus tillæg. Gode danskkundskaber.",
    "Løn efter overenskomst. Relevant uddannelse ønskes.",
];

pub(super) const WORKING_HOURS: &[&str] = &[
    "37 timer om ugen, dagvagt.",
    "30 timer om ugen, skiftende vagter.",
    "37 timer, inkl. hver anden weekend.",
    "25-30 timer om ugen.",
];

pub(super) const REJECT_REASONS: &[&str] = &[
    "Mangler hygiejnebevis",
    "Kørekort påkrævet",
    "Stillingen er besat",
    "Matcher ikke virksomhedens krav",
];

pub(super) const WITHDRAW_REASONS: &[&str] = &["Har fået andet job", "Ønsker ikke stillingen", "Sygdom"];

pub(super) const CONSENT_REVOKED: &str = "consent revoked";

pub(super) fn secs(rng: &mut StdRng, max: i64) -> Duration {
    Duration::seconds(rng.gen_range(0..max.max(1)))
}

/// A time between `from` and `to`, more likely early: exponential with the given mean.
pub(super) fn soon_after(rng: &mut StdRng, from: NaiveDateTime, to: NaiveDateTime, mean_secs: f64) -> NaiveDateTime {
    let room = (to - from).num_seconds().max(0);
    let x = -mean_secs * (1.0 - rng.gen::<f64>()).ln();
    let s = if (x as i64) < room {
        x as i64
    } else {
        rng.gen_range(0..room.max(1))
    };
    from + Duration::seconds(s)
}

pub(super) fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

pub(super) fn person_name(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

pub(super) fn ascii(s: &str) -> String {
    crate::cli::demo::slug(&s.replace(' ', "."))
}
