//! The small JSON shapes that several handlers answer with, typed so that the OpenAPI
//! document (`openapi.rs`) describes exactly what they send.

use serde::Serialize;
use utoipa::ToSchema;

/// A list: `{"items": [...]}`.
#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

impl<T> Items<T> {
    pub fn of(items: Vec<T>) -> Self {
        Items { items }
    }
}

/// `{"ok": true}`.
#[derive(Serialize, ToSchema)]
pub struct OkBody {
    pub ok: bool,
}

/// The id of what was created.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}
