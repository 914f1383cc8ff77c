//! Demo data (`serve --demo`): the HRS and NRS networks, their job centres, a consultant
//! pair per centre, orders, candidates and referrals in every state. Seeded once.

use chrono::{Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::{job_centres, network_members, networks, outbox, users};
use crate::db::{Db, DbConn};
use crate::domain::actor::AuthUser;
use crate::domain::candidates::{ConsentInput, CreateCandidate};
use crate::domain::order_fields::OrderFields;
use crate::domain::referral::Action;
use crate::domain::users::{hash_password, User};
use crate::domain::{candidates, order_close, orders, portal, referrals, sharing};
use crate::error::AppResult;
use crate::ids::{JobCentreId, NetworkId};
use crate::mail::Mail;

/// (authority number, name, networks)
pub const CENTRES: &[(&str, &str, &[&str])] = &[
    ("15.300", "Brøndby", &["HRS"]),
    ("18.502", "Tårnby-Dragør", &["HRS"]),
    ("14.700", "Frederiksberg", &["HRS"]),
    ("16.100", "Glostrup", &["HRS"]),
    ("15.900", "Gladsaxe", &["HRS"]),
    ("16.300", "Herlev", &["HRS", "NRS"]),
    ("21.900", "Hillerød", &["NRS"]),
    ("21.700", "Helsingør", &["NRS"]),
    ("21.000", "Fredensborg", &["NRS"]),
];

pub const PASSWORD: &str = "demo";

/// `Tårnby-Dragør` → `tarnby-dragor`: usernames are lower-case ASCII.
pub fn slug(name: &str) -> String {
    name.to_lowercase()
        .replace('ø', "o")
        .replace('å', "a")
        .replace('æ', "ae")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

pub fn ensure_network(conn: &mut DbConn, name: &str) -> AppResult<NetworkId> {
    if let Some(id) = networks::table
        .filter(networks::name.eq(name))
        .select(networks::id)
        .first::<NetworkId>(conn)
        .optional()?
    {
        return Ok(id);
    }
    Ok(diesel::insert_into(networks::table)
        .values(networks::name.eq(name))
        .returning(networks::id)
        .get_result(conn)?)
}

pub fn insert_centre(conn: &mut DbConn, number: &str, name: &str) -> AppResult<JobCentreId> {
    Ok(diesel::insert_into(job_centres::table)
        .values((
            job_centres::authority_type.eq("JobCenter"),
            job_centres::authority_number.eq(number),
            job_centres::name.eq(name),
        ))
        .returning(job_centres::id)
        .get_result(conn)?)
}

pub fn insert_user(
    conn: &mut DbConn,
    username: &str,
    display_name: &str,
    centre: JobCentreId,
    role: &str,
    password_hash: &str,
) -> AppResult<User> {
    let id: crate::ids::UserId = diesel::insert_into(users::table)
        .values((
            users::username.eq(username),
            users::password_hash.eq(password_hash),
            users::display_name.eq(display_name),
            users::email.eq(format!("{username}@jobcenter.example")),
            users::job_centre_id.eq(centre),
            users::role.eq(role),
            users::language.eq("da"),
            users::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(users::id)
        .get_result(conn)?;
    Ok(users::table.find(id).select(User::as_select()).first(conn)?)
}

/// Seeds the demo data unless it is there already. Returns whether it seeded.
pub fn seed(db: &Db, mail: &Mail) -> AppResult<bool> {
    // Hash outside the transaction: argon2 is slow on purpose. The demo password is
    // published, so one hash serves every demo user; real users each get their own salt.
    let hash = hash_password(PASSWORD)?;
    db.write_blocking(|c| {
        let exists: i64 = users::table.filter(users::username.eq("admin")).count().get_result(c)?;
        if exists > 0 {
            return Ok(false);
        }
        seed_in(c, mail, &hash)?;
        Ok(true)
    })
}

pub struct DemoUsers {
    /// Per centre, in `CENTRES` order: (consultant, second consultant).
    pub consultants: Vec<(User, User)>,
    pub admin: User,
}

fn seed_in(c: &mut DbConn, mail: &Mail, hash: &str) -> AppResult<DemoUsers> {
    let mut consultants = Vec::new();
    for (number, name, nets) in CENTRES {
        let centre = insert_centre(c, number, name)?;
        for net in *nets {
            let nid = ensure_network(c, net)?;
            diesel::insert_into(network_members::table)
                .values((
                    network_members::network_id.eq(nid),
                    network_members::job_centre_id.eq(centre),
                ))
                .execute(c)?;
        }
        let s = slug(name);
        let a = insert_user(
            c,
            &format!("{s}.konsulent"),
            &format!("Konsulent {name}"),
            centre,
            "consultant",
            hash,
        )?;
        let b = insert_user(
            c,
            &format!("{s}.konsulent2"),
            &format!("Konsulent 2 {name}"),
            centre,
            "consultant",
            hash,
        )?;
        consultants.push((a, b));
    }
    let admin = insert_user(
        c,
        "admin",
        "Administrator",
        consultants[0].0.job_centre_id,
        "admin",
        hash,
    )?;
    let users = DemoUsers { consultants, admin };
    let ids = seed_orders(c, mail, &users)?;
    seed_referrals(c, mail, &users, &ids)?;
    // The demo's mails go to example addresses: they stay out of the outbox.
    diesel::delete(outbox::table).execute(c)?;
    Ok(users)
}

fn order(
    title: &str,
    occupation: &str,
    company: &str,
    days: i64,
    vacancies: i32,
    coordinator_allowed: bool,
) -> OrderFields {
    let start = (Utc::now() + Duration::days(days)).date_naive();
    OrderFields {
        title: title.into(),
        occupation: occupation.into(),
        occupation_code: None,
        request_id: None,
        company_name: company.into(),
        cvr: None,
        employer_email: Some(format!(
            "hr@{}.example",
            slug(company.split_whitespace().next().unwrap_or("firma"))
        )),
        start_date: start,
        end_date: Some(start + Duration::days(90)),
        vacancies,
        order_type: "Jobordre".into(),
        responsible_consultant_id: None,
        coordinator_id: None,
        coordinator_external: None,
        coordinator_allowed,
        task_description: format!("{title}: daglige opgaver i et travlt team. Oplæring gives."),
        qualifications_and_pay: "Overenskomstmæssig løn. Kørekort B er en fordel.".into(),
        working_hours: "37 timer om ugen, dagvagt.".into(),
        workplace_postcode: None,
        requires_driving_licence: false,
    }
}

/// Eight orders of four centres, some shared and one closed; their ids in creation order.
fn seed_orders(c: &mut DbConn, mail: &Mail, users: &DemoUsers) -> AppResult<Vec<crate::ids::JobOrderId>> {
    let user = |i: usize| users.consultants[i].0.auth();
    let (brondby, frb, hill) = (user(0), user(2), user(6));
    let specs = [
        (
            &brondby,
            order("Kok til kantine", "Kok", "Kantinen Vest A/S", 14, 2, true),
        ),
        (
            &brondby,
            order("Lagermedarbejder", "Lagerarbejder", "Logistik Syd ApS", 7, 5, true),
        ),
        (
            &brondby,
            order(
                "Rengøringsassistent",
                "Rengøringsassistent",
                "Rent & Pænt I/S",
                21,
                3,
                false,
            ),
        ),
        (
            &brondby,
            order("Buschauffør", "Chauffør", "Bybusserne A/S", 30, 4, true),
        ),
        (
            &frb,
            order(
                "Pædagogmedhjælper",
                "Pædagogmedhjælper",
                "Børnehuset Solsikken",
                10,
                1,
                true,
            ),
        ),
        (
            &frb,
            order("Butiksassistent", "Butiksassistent", "Købmanden på Hjørnet", 5, 2, true),
        ),
        (&hill, order("Tømrer", "Tømrer", "Nordbyg A/S", 20, 2, true)),
        (
            &hill,
            order(
                "SOSU-hjælper",
                "Social- og sundhedshjælper",
                "Hillerød Plejecenter",
                3,
                6,
                true,
            ),
        ),
    ];
    let mut ids = Vec::new();
    for (user, fields) in specs {
        ids.push(orders::create(c, user, fields)?.id);
    }
    // Sent to the portal and shared: the cook and cleaning orders with HRS, the cook also
    // with NRS; Hillerød's carpenter with NRS; Frederiksberg's shop assistant with HRS.
    for (user, idx, nets) in [
        (&brondby, 0, &["HRS", "NRS"][..]),
        (&brondby, 2, &["HRS"][..]),
        (&brondby, 3, &["HRS"][..]),
        (&frb, 5, &["HRS"][..]),
        (&hill, 6, &["NRS"][..]),
    ] {
        // The demo keeps the manual portal: confirmed by hand, whatever is configured.
        portal::send(c, user, ids[idx], portal::Mode::Manual)?;
        for net in nets {
            sharing::share(c, user, ids[idx], net)?;
        }
    }
    order_close::close(c, mail, &brondby, ids[3], None)?;
    Ok(ids)
}

fn candidate(c: &mut DbConn, user: &AuthUser, name: &str, consent: bool) -> AppResult<crate::ids::CandidateId> {
    let s = slug(name).replace(' ', ".");
    let cand = candidates::create(
        c,
        user,
        CreateCandidate {
            name: name.into(),
            email: Some(format!("{s}@borger.example")),
            phone: Some("+45 12 34 56 78".into()),
            postcode: Some("2605".into()),
            latitude: None,
            longitude: None,
            occupations: vec![],
            // The demo's candidates share one made-up phone number.
            allow_duplicate: true,
            ..Default::default()
        },
    )?;
    if consent {
        candidates::give_consent(
            c,
            user,
            cand.id,
            ConsentInput {
                share_email: true,
                share_phone: false,
                share_cv: false,
            },
        )?;
    }
    Ok(cand.id)
}

/// Seven candidates (one without consent) and a referral in every state.
fn seed_referrals(c: &mut DbConn, mail: &Mail, users: &DemoUsers, ids: &[crate::ids::JobOrderId]) -> AppResult<()> {
    let user = |i: usize| users.consultants[i].0.auth();
    let (brondby, glostrup, frb, herlev) = (user(0), user(3), user(2), user(5));
    let anna = candidate(c, &frb, "Anna Jensen", true)?;
    let bo = candidate(c, &frb, "Bo Nielsen", true)?;
    let cecilie = candidate(c, &glostrup, "Cecilie Hansen", true)?;
    let dorte = candidate(c, &brondby, "Dorte Pedersen", true)?;
    let emil = candidate(c, &frb, "Emil Larsen", true)?;
    let frida = candidate(c, &herlev, "Frida Olsen", true)?;
    candidate(c, &frb, "Gustav Madsen", false)?;

    let kok = ids[0];
    // One referral in every state.
    referrals::create(c, mail, &frb, kok, anna)?; // pending_approval
    let r = referrals::create(c, mail, &frb, kok, bo)?;
    referrals::apply(c, mail, &brondby, r.id, Action::Approve, None)?; // available_to_company
    let r = referrals::create(c, mail, &glostrup, kok, cecilie)?;
    referrals::apply(
        c,
        mail,
        &brondby,
        r.id,
        Action::Reject,
        Some("Mangler hygiejnebevis".into()),
    )?;
    let r = referrals::create(c, mail, &brondby, kok, dorte)?;
    referrals::apply(c, mail, &brondby, r.id, Action::Approve, None)?;
    referrals::apply(c, mail, &brondby, r.id, Action::Send, None)?; // sent_to_employer
    let r = referrals::create(c, mail, &frb, kok, emil)?;
    referrals::apply(c, mail, &frb, r.id, Action::Withdraw, Some("Har fået andet job".into()))?;
    // No coordinator allowed: straight to the company.
    referrals::create(c, mail, &herlev, ids[2], frida)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_ascii() {
        assert_eq!(super::slug("Brøndby"), "brondby");
        assert_eq!(super::slug("Tårnby-Dragør"), "tarnby-dragor");
        assert_eq!(super::slug("Hillerød"), "hillerod");
    }
}
