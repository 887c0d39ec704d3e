//! Comparing body shapes and statuses.

use super::*;

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Same keys recursively and the same JSON types (`null` on either side matches any type).
pub(crate) fn shape(rec: &Value, fake: &Value, path: &str, out: &mut Vec<String>) {
    if rec.is_null() || fake.is_null() {
        return;
    }
    if json_type(rec) != json_type(fake) {
        out.push(format!(
            "{path}: {} (recorded {})",
            json_type(fake),
            json_type(rec)
        ));
        return;
    }
    match (rec, fake) {
        (Value::Object(r), Value::Object(f)) => {
            for k in r.keys().filter(|k| !f.contains_key(*k)) {
                out.push(format!("{path}.{k} missing"));
            }
            for k in f.keys().filter(|k| !r.contains_key(*k)) {
                out.push(format!("{path}.{k} not in the recording"));
            }
            for (k, rv) in r {
                if let Some(fv) = f.get(k) {
                    shape(rv, fv, &format!("{path}.{k}"), out);
                }
            }
        }
        (Value::Array(r), Value::Array(f)) => {
            // pair elements by id where they have one, else by position
            for (i, rv) in r.iter().enumerate() {
                let fv = match rv.get("id") {
                    Some(id) => f.iter().find(|x| x.get("id") == Some(id)),
                    None => f.get(i),
                };
                if let Some(fv) = fv {
                    shape(rv, fv, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

pub(crate) fn compare(
    e: &Exchange,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    text: &str,
) -> Vec<String> {
    let mut diffs = Vec::new();
    if status != e.status {
        diffs.push(format!("status {status} (recorded {})", e.status));
        return diffs;
    }
    let fake_total = headers
        .get("total-number")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if e.header("total-number").map(str::to_string) != fake_total {
        diffs.push(format!(
            "Total-Number {fake_total:?} (recorded {:?})",
            e.header("total-number")
        ));
    }
    if is_garbled(&e.body) {
        // the recorder stored a gzip body as lossy text: status and total are all there is
        return diffs;
    }
    if e.body.is_null() {
        if !text.is_empty() {
            diffs.push(format!("unexpected body {text:?}"));
        }
        return diffs;
    }
    let fake: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => {
            diffs.push(format!("body is not JSON: {text:?}"));
            return diffs;
        }
    };
    if e.status >= 400 {
        if fake["code"] != e.body["code"] {
            diffs.push(format!(
                "code {} (recorded {})",
                fake["code"], e.body["code"]
            ));
        }
        return diffs;
    }
    if let (Value::Array(r), Value::Array(f)) = (&e.body, &fake) {
        let ids = |a: &Vec<Value>| -> BTreeSet<String> {
            a.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        };
        let (ri, fi) = (ids(r), ids(f));
        if ri != fi {
            diffs.push(format!(
                "ids: missing {:?}, extra {:?}",
                ri.difference(&fi).collect::<Vec<_>>(),
                fi.difference(&ri).collect::<Vec<_>>()
            ));
        }
    }
    shape(&e.body, &fake, "$", &mut diffs);
    diffs
}
