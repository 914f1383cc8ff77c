//! Writes a candidate import file for measuring the import: `cargo run --example import_file
//! -- 100000 > candidates.csv` (`;`-separated, UTF-8 with BOM, as Danish Excel saves it).

use std::io::Write;

const FIRST: &[&str] = &[
    "Søren", "Åse", "Ærlig", "Mette", "Jens", "Fatima", "Ole", "Ida", "Mads", "Nour",
];
const LAST: &[&str] = &[
    "Ørsted",
    "Hansen",
    "Jensen",
    "Nielsen",
    "Ali",
    "Berg",
    "Madsen",
    "Østergård",
];
const POSTCODES: &[&str] = &["2605", "2000", "2650", "2600", "2800", "8000", "9000", "5000"];
const WISHES: &[&str] = &[
    "kok",
    "opvasker",
    "tømrer",
    "chauffør",
    "sygeplejerske",
    "lagerarbejder",
];

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let out = std::io::stdout();
    let mut w = std::io::BufWriter::new(out.lock());
    write!(
        w,
        "\u{feff}ekstern_id;navn;e-mail;telefon;postnummer;stillingsønsker;kørekort;egen_bil;certifikater;sprog\r\n"
    )
    .unwrap();
    for i in 0..n {
        let name = format!("{} {} {i}", FIRST[i % FIRST.len()], LAST[(i / 7) % LAST.len()]);
        write!(
            w,
            "GEN-{i:07};{name};person{i}@borger.example;+45 {:08};{};{};{};{};{};dansk\r\n",
            20_000_000 + i,
            POSTCODES[i % POSTCODES.len()],
            WISHES[i % WISHES.len()],
            if i % 3 == 0 { "nej" } else { "ja" },
            if i % 4 == 0 { "ja" } else { "nej" },
            if i % 10 == 0 { "truckcertifikat" } else { "" },
        )
        .unwrap();
    }
}
