//! A stored file as a download (a CV, to its centre or to the employer): always an
//! attachment, never shown inline, never sniffed into another type, never cached.

use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::HttpResponse;

use crate::mail::attachments::CvFile;

/// `attachment` with the name as plain ASCII (anything else becomes `_`) and, when the name
/// is not plain ASCII, the exact name in UTF-8 as well (RFC 6266 `filename*`).
fn disposition(name: &str) -> ContentDisposition {
    let plain: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if !matches!(c, '"' | '\\' | ';' | '/') => c,
            _ => '_',
        })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(plain.clone())];
    if plain != name {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

/// The file as a download.
pub fn file_response(f: CvFile) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(f.content_type.as_str())
        .insert_header(disposition(&f.file_name))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Opened by itself after all, it runs nothing and reaches nothing.
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .body(f.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_in_the_header() {
        assert_eq!(
            disposition("mit-cv.pdf").to_string(),
            "attachment; filename=\"mit-cv.pdf\""
        );
        let d = disposition("Søren \"CV\".pdf").to_string();
        assert!(d.starts_with("attachment; filename=\"S_ren _CV_.pdf\""), "{d}");
        assert!(d.contains("filename*=UTF-8''S%C3%B8ren%20%22CV%22.pdf"), "{d}");
    }
}
