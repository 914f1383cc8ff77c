//! What a browser would submit for a page's form: the page tests read forms out of the HTML.

/// The entities handlebars writes, turned back.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x60;", "`")
        .replace("&#x3D;", "=")
        .replace("&amp;", "&")
}

pub fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(unescape(&tag[at..at + tag[at..].find('"')?]))
}

/// What a browser submits for the form posting to `action`: inputs (checkboxes only when
/// checked), textareas (without the one newline HTML drops after the tag), selected options.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("action=\"{action}\"")).expect("the form");
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let tag = &rest[..rest.find('>').unwrap() + 1];
        if tag.starts_with("<input ") {
            let checkbox = attr(tag, "type").as_deref() == Some("checkbox");
            if !checkbox || tag.contains(" checked") {
                out.push((attr(tag, "name").unwrap(), attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea ") {
            let body = &rest[tag.len()..rest.find("</textarea>").unwrap()];
            let body = body.strip_prefix('\n').unwrap_or(body);
            out.push((attr(tag, "name").unwrap(), unescape(body)));
        } else if tag.starts_with("<select ") {
            let options = &rest[..rest.find("</select>").unwrap()];
            let chosen = options
                .split("<option ")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option ").nth(1))
                .map(|o| attr(&format!(" {o}"), "value").unwrap())
                .unwrap_or_default();
            out.push((attr(tag, "name").unwrap(), chosen));
        }
        rest = &rest[1..];
    }
    out
}
