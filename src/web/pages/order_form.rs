//! Creating and editing an order through a form.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::domain::order_fields::{OrderFields, PatchOrder, PAST_START};
use crate::domain::{orders, users};
use crate::error::{AppError, AppResult};
use crate::ids::{JobOrderId, UserId};
use crate::web::flash::Flash;
use crate::web::render::{describe, fail, is_refusal, me, page_with_flash, Me, Status};
use crate::web::respond::{merge, redirect_flash, HOME};
use crate::web::session::{parse_id, CsrfForm, Form, Session};
use crate::web::state::AppState;

// ---- order forms -----------------------------------------------------------------------

pub(crate) fn date(f: &Form, name: &str) -> AppResult<Option<NaiveDate>> {
    f.opt(name)
        .map(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| AppError::invalid(name, "must be a date (YYYY-MM-DD)"))
        })
        .transpose()
}

/// The order form as `OrderFields`; the domain validates the rest.
pub(crate) fn fields_from_form(f: &Form) -> AppResult<OrderFields> {
    let vacancies = f
        .get("vacancies")
        .trim()
        .parse::<i32>()
        .map_err(|_| AppError::invalid("vacancies", "must be a whole number"))?;
    let user = |name: &str| {
        f.opt(name)
            .map(|v| {
                v.parse::<i64>()
                    .map(UserId)
                    .map_err(|_| AppError::invalid(name, "must be a user"))
            })
            .transpose()
    };
    Ok(OrderFields {
        title: f.get("title").trim().to_string(),
        occupation: f.get("occupation").trim().to_string(),
        occupation_code: f.opt("occupation_code"),
        request_id: f.opt("request_id"),
        company_name: f.get("company_name").trim().to_string(),
        cvr: f.opt("cvr"),
        employer_email: f.opt("employer_email"),
        start_date: date(f, "start_date")?.ok_or_else(|| AppError::invalid("start_date", "is required"))?,
        end_date: date(f, "end_date")?,
        vacancies,
        order_type: f.opt("type").unwrap_or_else(|| "Jobordre".into()),
        responsible_consultant_id: user("responsible_consultant_id")?,
        coordinator_id: user("coordinator_id")?,
        coordinator_external: f.opt("coordinator_external"),
        coordinator_allowed: f.checked("coordinator_allowed"),
        task_description: f.text("task_description"),
        qualifications_and_pay: f.text("qualifications_and_pay"),
        working_hours: f.text("working_hours"),
        workplace_postcode: f.opt("workplace_postcode"),
        // Set by the API and the import; the form leaves it as it is (see patch_from_fields).
        requires_driving_licence: f.checked("requires_driving_licence"),
    })
}

/// The form's values for an order. Destructured without `..`: a field added to `OrderFields`
/// does not compile until the form shows it, so saving a form can't silently clear a field.
fn form_values(f: &OrderFields) -> Value {
    let OrderFields {
        title,
        occupation,
        occupation_code,
        request_id,
        company_name,
        cvr,
        employer_email,
        start_date,
        end_date,
        vacancies,
        order_type,
        responsible_consultant_id,
        coordinator_id,
        coordinator_external,
        coordinator_allowed,
        task_description,
        qualifications_and_pay,
        working_hours,
        workplace_postcode,
        requires_driving_licence,
    } = f;
    let id = |u: &Option<UserId>| u.map(|u| u.to_string());
    json!({
        "title": title, "occupation": occupation, "occupation_code": occupation_code,
        "request_id": request_id, "company_name": company_name, "cvr": cvr,
        "employer_email": employer_email, "type": order_type,
        "start_date": start_date.to_string(), "end_date": end_date.map(|d| d.to_string()),
        "vacancies": vacancies.to_string(),
        "responsible_consultant_id": id(responsible_consultant_id), "coordinator_id": id(coordinator_id),
        "coordinator_external": coordinator_external, "coordinator_allowed": coordinator_allowed,
        "task_description": task_description, "qualifications_and_pay": qualifications_and_pay,
        "working_hours": working_hours, "workplace_postcode": workplace_postcode,
        "requires_driving_licence": requires_driving_licence,
    })
}

/// Every field of the form set: what the form shows is what the order becomes.
pub(crate) fn patch_from_fields(o: OrderFields) -> PatchOrder {
    PatchOrder {
        title: Some(o.title),
        occupation: Some(o.occupation),
        occupation_code: Some(o.occupation_code),
        request_id: o.request_id,
        company_name: Some(o.company_name),
        cvr: Some(o.cvr),
        employer_email: Some(o.employer_email),
        start_date: Some(o.start_date),
        end_date: Some(o.end_date),
        vacancies: Some(o.vacancies),
        order_type: Some(o.order_type),
        responsible_consultant_id: o.responsible_consultant_id,
        coordinator_id: o.coordinator_id,
        coordinator_external: Some(o.coordinator_external),
        coordinator_allowed: Some(o.coordinator_allowed),
        task_description: Some(o.task_description),
        qualifications_and_pay: Some(o.qualifications_and_pay),
        working_hours: Some(o.working_hours),
        workplace_postcode: Some(o.workplace_postcode),
        requires_driving_licence: Some(o.requires_driving_licence),
        confirm_past_start: false,
        other: Default::default(),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn order_form(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    me: &Me,
    heading_key: &str,
    action: String,
    cancel: String,
    values: Value,
    consultants: &[(UserId, String)],
    error: Option<Flash>,
    invalid: Value,
) -> HttpResponse {
    // Each select shows the order's choice; a new order starts with the user in both.
    let options = |field: &str| -> Vec<Value> {
        let selected = values
            .get(field)
            .and_then(Value::as_str)
            .map_or_else(|| s.user.id.to_string(), str::to_string);
        consultants
            .iter()
            .map(|(id, name)| json!({ "id": id, "name": name, "selected": id.to_string() == selected }))
            .collect()
    };
    let t = |k: &str| state.pages.t(s.lang, k);
    let ctx = json!({
        "heading": t(heading_key),
        "action": action,
        "cancel": cancel,
        "v": values,
        "invalid": invalid,
        "coordinators": options("coordinator_id"),
        "responsibles": options("responsible_consultant_id"),
        "submit": t(if heading_key == "new_order" { "create" } else { "save" }),
    });
    let nav = if heading_key == "new_order" { "new-order" } else { "" };
    let flash = error.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "order_form", me, nav, ctx, flash)
}

pub async fn new_order_form(state: web::Data<AppState>, s: Session) -> HttpResponse {
    let user = s.user.clone();
    match state
        .db
        .read(move |c| Ok((me(c, &user)?, users::colleagues(c, &user)?)))
        .await
    {
        Ok((me, consultants)) => {
            let v = json!({ "type": "Jobordre", "vacancies": "1", "coordinator_allowed": true });
            order_form(
                &state,
                &s,
                StatusCode::OK,
                &me,
                "new_order",
                "/orders/new".into(),
                HOME.into(),
                v,
                &consultants,
                None,
                Value::Null,
            )
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

/// A refused form comes back filled in as typed, with the reason on top.
pub(crate) async fn refused_form(
    state: &web::Data<AppState>,
    s: &Session,
    e: AppError,
    form: &Form,
    edit: Option<JobOrderId>,
) -> HttpResponse {
    let user = s.user.clone();
    let status = e.status();
    let flash = Flash::error(describe(state, s.lang, &e));
    // The refused field, marked and described beside itself.
    let invalid = match &e {
        AppError::Validation { field, message } => {
            let field = if field == "order_type" { "type" } else { field.as_str() };
            json!({ field: state.pages.message(s.lang, message) })
        }
        _ => Value::Null,
    };
    // A start date long past may be meant: offer to keep it.
    let confirm_prompt =
        matches!(&e, AppError::Validation { field, message } if field == "start_date" && message == PAST_START);
    match state
        .db
        .read(move |c| Ok((me(c, &user)?, users::colleagues(c, &user)?)))
        .await
    {
        Ok((me, consultants)) => {
            let (heading, action, cancel) = match edit {
                Some(id) => ("edit_order", format!("/orders/{id}/edit"), format!("/orders/{id}")),
                None => ("new_order", "/orders/new".into(), HOME.into()),
            };
            let mut values = form.values();
            merge(
                &mut values,
                json!({
                    "coordinator_allowed": form.checked("coordinator_allowed"),
                    "requires_driving_licence": form.checked("requires_driving_licence"),
                    "confirm_past_prompt": confirm_prompt,
                }),
            );
            order_form(
                state,
                s,
                status,
                &me,
                heading,
                action,
                cancel,
                values,
                &consultants,
                Some(flash),
                invalid,
            )
        }
        Err(e) => fail(state, s, e).await,
    }
}

pub async fn create_order(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    let form = f.0;
    let result = match fields_from_form(&form) {
        Ok(fields) => {
            let user = s.user.clone();
            let confirm = form.checked("confirm_past_start");
            state
                .db
                .write(move |c| orders::create_confirmed(c, &user, fields, confirm))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(order) => redirect_flash(
            &state,
            &format!("/orders/{}", order.id),
            Flash::ok(state.pages.t(s.lang, "ok_order_created")),
        ),
        Err(e) if is_refusal(&e) => refused_form(&state, &s, e, &form, None).await,
        Err(e) => fail(&state, &s, e).await,
    }
}

pub async fn edit_order_form(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let o = orders::load_owned(c, &user, id)?;
            let cvr = orders::company_cvr(c, o.company_id)?;
            Ok((me(c, &user)?, users::colleagues(c, &user)?, o, cvr))
        })
        .await;
    match result {
        Ok((me, consultants, o, cvr)) => {
            let v = form_values(&OrderFields::from_order(&o, cvr));
            order_form(
                &state,
                &s,
                StatusCode::OK,
                &me,
                "edit_order",
                format!("/orders/{id}/edit"),
                format!("/orders/{id}"),
                v,
                &consultants,
                None,
                Value::Null,
            )
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

pub async fn update_order(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let form = f.0;
    let result = match fields_from_form(&form) {
        Ok(fields) => {
            let user = s.user.clone();
            let mut patch = patch_from_fields(fields);
            patch.confirm_past_start = form.checked("confirm_past_start");
            state.db.write(move |c| orders::update(c, &user, id, patch)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect_flash(
            &state,
            &format!("/orders/{id}"),
            Flash::ok(state.pages.t(s.lang, "ok_order_saved")),
        ),
        Err(e) if is_refusal(&e) => refused_form(&state, &s, e, &form, Some(id)).await,
        Err(e) => fail(&state, &s, e).await,
    }
}
