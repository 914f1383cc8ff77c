//! The JSON body extractor of the API. Unlike `web::Json` it names the field that
//! failed (`serde_path_to_error`), so a wrong type is a 422 that says where.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Largest JSON body accepted; the longest order texts fit with room to spare.
pub const JSON_LIMIT: usize = 256 * 1024;

pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Every body of the API is a JSON object. serde would also read a struct from an array of
/// its fields in order (`[null]` for `{"language": null}`): that is refused.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return Err(AppError::invalid("body", "must be a JSON object"));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let msg = inner.to_string();
            // A missing field is reported at its parent; the name is in the message.
            let field = match msg.strip_prefix("missing field `") {
                Some(rest) => rest.split('`').next().unwrap_or("body").to_string(),
                None if path == "." => "body".to_string(),
                None => path,
            };
            AppError::invalid(field, msg)
        } else {
            AppError::BadRequest(format!("malformed JSON: {inner}"))
        }
    })
}

/// A JSON body that may be left out entirely (an empty body is `None`).
pub struct OptJson<T>(pub Option<T>);

type BodyFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

fn body(req: &HttpRequest, payload: &mut Payload) -> BodyFuture<web::Bytes> {
    let bytes = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        bytes
            .await
            .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                Some(actix_web::error::PayloadError::Overflow) => AppError::PayloadTooLarge,
                _ => AppError::BadRequest(format!("could not read body: {e}")),
            })
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = body(req, payload);
        Box::pin(async move { parse(&bytes.await?).map(Json) })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptJson<T> {
    type Error = AppError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = body(req, payload);
        Box::pin(async move {
            let bytes = bytes.await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptJson(None));
            }
            parse(&bytes).map(|v| OptJson(Some(v)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        a: i32,
        b: String,
    }

    fn field(r: Result<T, AppError>) -> String {
        match r {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_type_names_field() {
        assert_eq!(field(parse(br#"{"a":"x","b":"y"}"#)), "a");
    }

    #[test]
    fn missing_field_names_field() {
        assert_eq!(field(parse(br#"{"a":1}"#)), "b");
    }

    #[test]
    fn only_an_object_is_a_body() {
        assert_eq!(field(parse(br#"["x", "y"]"#)), "body");
        assert_eq!(field(parse(b" 7")), "body");
        assert!(matches!(parse::<T>(b"[1,"), Err(AppError::BadRequest(_))));
    }

    #[test]
    fn malformed_is_bad_request() {
        assert!(matches!(parse::<T>(b"{\"a\":"), Err(AppError::BadRequest(_))));
        assert!(matches!(parse::<T>(b"nope"), Err(AppError::BadRequest(_))));
        assert!(matches!(parse::<T>(b""), Err(AppError::BadRequest(_))));
    }
}
