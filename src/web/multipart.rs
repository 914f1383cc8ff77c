//! A small `multipart/form-data` reader for the forms that upload a file (the import page,
//! a candidate's CV): the parts' names, file names and bodies, held in memory within the
//! upload limit.

pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub body: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let j = hay[i..].iter().position(|b| *b == first)? + i;
        if hay.get(j..j + needle.len()) == Some(needle) {
            return Some(j);
        }
        i = j + 1;
    }
    None
}

/// `name="x"` from a Content-Disposition line.
fn param(line: &str, key: &str) -> Option<String> {
    let at = line.find(&format!("{key}=\""))? + key.len() + 2;
    let end = line[at..].find('"')? + at;
    Some(line[at..end].to_string())
}

/// The parts of a body; None when it is not well formed.
pub fn parse(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delim = format!("--{boundary}").into_bytes();
    let mut at = find(body, &delim, 0)? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Some(parts);
        }
        at += 2; // CRLF after the delimiter
        let head_end = find(body, b"\r\n\r\n", at)?;
        let head = String::from_utf8_lossy(&body[at..head_end]).to_string();
        let next_delim = [b"\r\n".as_slice(), &delim].concat();
        let end = find(body, &next_delim, head_end + 4)?;
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        parts.push(Part {
            name: param(disposition, "name")?,
            file_name: param(disposition, "filename"),
            body: body[head_end + 4..end].to_vec(),
        });
        at = end + next_delim.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_form() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nnavn\r\nX\r\n\r\n--XyZ--\r\n";
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parse(body, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].body.as_slice()),
            ("_csrf", b"abc".as_slice())
        );
        assert_eq!(parts[1].file_name.as_deref(), Some("a.csv"));
        assert_eq!(parts[1].body, b"navn\r\nX\r\n");
        assert!(parse(b"--XyZ\r\ngarbage", "XyZ").is_none());
        assert!(boundary("text/plain").is_none());
    }
}
