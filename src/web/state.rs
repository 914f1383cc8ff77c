//! What every handler receives: the database, the token keys, the configuration, the mail
//! templates and the page templates. Built once by `app::state`.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::mail::Mail;
use crate::web::jwt::JwtKeys;
use crate::web::templates::Pages;

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub config: Config,
    pub mail: Arc<Mail>,
    pub pages: Pages,
}
