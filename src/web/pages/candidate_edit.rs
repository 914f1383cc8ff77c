//! Editing one of my centre's candidates: the form shows every field as stored, so saving it
//! unchanged changes nothing. Below it the candidate's CV (`candidate_cv` handles its forms).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::candidate_edit::{self, CandidateFields, PatchCandidate};
use crate::domain::candidates;
use crate::domain::cv::{self, CvInfo};
use crate::error::{AppError, AppResult};
use crate::ids::CandidateId;
use crate::web::flash::Flash;
use crate::web::format::{fmt_size, fmt_time};
use crate::web::render::{describe, fail, is_refusal, me, page_with_flash, Me, Status};
use crate::web::respond::{link, redirect_flash};
use crate::web::session::{parse_id, CsrfForm, Form, Session};
use crate::web::state::AppState;

/// A wish as the form writes it: the occupation's label when that reads back as the same
/// code (and holds no comma, the separator), otherwise the code.
fn wish_text(code: &str) -> String {
    crate::occupations::by_code(code)
        .map(|o| o.label.clone())
        .filter(|l| !l.contains(',') && crate::occupations::resolve(l).is_some_and(|o| o.code == code))
        .unwrap_or_else(|| code.to_string())
}

/// The form's values for the stored fields. Destructured without `..`: a field added to
/// `CandidateFields` does not compile until the form shows it.
fn form_values(f: &CandidateFields) -> Value {
    let CandidateFields {
        name,
        email,
        phone,
        postcode,
        occupations,
        driving_licence,
        own_car,
        certificates,
        languages,
    } = f;
    json!({
        "name": name, "email": email, "phone": phone, "postcode": postcode,
        "occupations": occupations.iter().map(|c| wish_text(c)).collect::<Vec<_>>().join(", "),
        "driving_licence": driving_licence, "own_car": own_car,
        "certificates": certificates.join("\n"), "languages": languages.join("\n"),
    })
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every field of the form set: what the form shows is what the candidate becomes.
fn patch_from_form(f: &Form) -> PatchCandidate {
    PatchCandidate {
        name: Some(f.get("name").trim().to_string()),
        email: Some(f.opt("email")),
        phone: Some(f.opt("phone")),
        postcode: Some(f.opt("postcode")),
        occupations: Some(
            f.get("occupations")
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        driving_licence: Some(f.checked("driving_licence")),
        own_car: Some(f.checked("own_car")),
        certificates: Some(lines(&f.text("certificates"))),
        languages: Some(lines(&f.text("languages"))),
        other: Default::default(),
    }
}

/// What the page shows beside the form: the header's user and the CV section.
struct Around {
    me: Me,
    cv: Option<CvInfo>,
    /// The candidate's consent, with `share_cv`, holds: the CV goes to employers.
    cv_shared: bool,
    /// Why an upload was refused, shown beside the file field.
    cv_error: Option<String>,
}

fn around(c: &mut DbConn, user: &AuthUser, id: CandidateId) -> AppResult<Around> {
    let cand = candidates::load_own(c, user, id)?;
    Ok(Around {
        me: me(c, user)?,
        cv: cv::info(c, user, id)?,
        cv_shared: cand.has_consent() && cand.share_cv,
        cv_error: None,
    })
}

/// The CV section: the stored file (name, size, when), whether it is shared, the forms.
fn cv_section(state: &AppState, s: &Session, id: CandidateId, a: &Around) -> Value {
    let t = |k: &str| state.pages.t(s.lang, k);
    json!({
        "file": a.cv.as_ref().map(|cv| json!({
            "name": cv.file_name,
            "size": fmt_size(cv.size, s.lang),
            "uploaded_at": fmt_time(cv.uploaded_at, s.lang),
        })),
        "shared": t(if a.cv_shared { "cv_shared_yes" } else { "cv_shared_no" }),
        "action": format!("/candidates/{id}/cv"),
        "error": a.cv_error,
    })
}

/// The page: the form with `values` (refused fields in `invalid`), and the CV section.
#[allow(clippy::too_many_arguments)]
fn edit_form(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    a: &Around,
    id: CandidateId,
    values: Value,
    invalid: Value,
    error: Option<Flash>,
) -> HttpResponse {
    let t = |k: &str| state.pages.t(s.lang, k);
    let ctx = json!({
        "heading": t("edit_candidate"),
        "action": format!("/candidates/{id}/edit"),
        "cancel": format!("/candidates#candidate-{id}"),
        "v": values,
        "invalid": invalid,
        "cv": cv_section(state, s, id, a),
    });
    let flash = error.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "candidate_edit", &a.me, "candidates", ctx, flash)
}

/// The page as stored, with `status` and an error `flash` (a refused CV upload shows it so,
/// its reason beside the file field too: nothing typed is lost, as the CV has its own form).
pub(crate) async fn stored_page(
    state: &web::Data<AppState>,
    s: &Session,
    id: CandidateId,
    status: StatusCode,
    flash: Option<Flash>,
    cv_error: Option<String>,
) -> HttpResponse {
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let cand = candidates::load_own(c, &user, id)?;
            cand.refuse_if_erased()?;
            let a = Around {
                cv_error,
                ..around(c, &user, id)?
            };
            Ok((a, CandidateFields::of(c, &cand)?))
        })
        .await;
    match result {
        Ok((a, fields)) => edit_form(state, s, status, &a, id, form_values(&fields), Value::Null, flash),
        Err(e) => fail(state, s, e).await,
    }
}

pub async fn edit_form_page(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    stored_page(&state, &s, id, StatusCode::OK, None, None).await
}

pub async fn save(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let form = f.0;
    let patch = patch_from_form(&form);
    let user = s.user.clone();
    let result = state
        .db
        .write(move |c| candidate_edit::update(c, &user, id, patch))
        .await;
    match result {
        // Back to the list, searched for the candidate, so it is on the page shown.
        Ok(c) => redirect_flash(
            &state,
            &(link("/candidates", &[("q", c.name)]) + &format!("#candidate-{id}")),
            Flash::ok(state.pages.t(s.lang, "ok_candidate_saved")),
        ),
        Err(e) if is_refusal(&e) => {
            // The form as typed, the refused field marked and described beside itself.
            let invalid = match &e {
                AppError::Validation { field, message } => json!({ field: state.pages.message(s.lang, message) }),
                _ => Value::Null,
            };
            let mut values = form.values();
            values["driving_licence"] = json!(form.checked("driving_licence"));
            values["own_car"] = json!(form.checked("own_car"));
            let flash = Flash::error(describe(&state, s.lang, &e));
            let user = s.user.clone();
            match state.db.read(move |c| around(c, &user, id)).await {
                Ok(a) => edit_form(&state, &s, e.status(), &a, id, values, invalid, Some(flash)),
                Err(e) => fail(&state, &s, e).await,
            }
        }
        Err(e) => fail(&state, &s, e).await,
    }
}
