//! zod-like guard errors (Logto's `guard.invalid_input` details) and typed access to a JSON body.

use super::*;

// ---------------------------------------------------------------------------------------
// zod-like guard errors

/// One zod issue plus its line for `details`.
pub struct Issue {
    pub json: Value,
    pub detail: String,
}

pub(crate) fn path_json(path: &[&str]) -> Value {
    Value::Array(path.iter().map(|p| Value::String(p.to_string())).collect())
}

pub(crate) fn path_text(path: &[&str]) -> String {
    path.join(".")
}

pub fn type_name(v: Option<&Value>) -> &'static str {
    match v {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

impl Issue {
    pub fn invalid_type(path: &[&str], expected: &str, received: &str) -> Issue {
        let message = if received == "undefined" {
            "Required".to_string()
        } else {
            format!("Expected {expected}, received {received}")
        };
        Issue {
            json: json!({"code": "invalid_type", "expected": expected, "received": received, "path": path_json(path), "message": message}),
            detail: format!(
                "Error in key path \"{}\": (invalid_type) Expected {expected} but received {received}.",
                path_text(path)
            ),
        }
    }
    pub fn invalid_string(path: &[&str], validation: &str) -> Issue {
        let message = match validation {
            "email" => "Invalid email",
            "url" => "Invalid url",
            _ => "Invalid",
        };
        Issue {
            json: json!({"validation": validation, "code": "invalid_string", "message": message, "path": path_json(path)}),
            detail: format!(
                "Error in key path \"{}\": (invalid_string) {message}",
                path_text(path)
            ),
        }
    }
    pub fn too_small_array(path: &[&str], min: usize) -> Issue {
        let message = format!("Array must contain at least {min} element(s)");
        Issue {
            json: json!({"code": "too_small", "minimum": min, "type": "array", "inclusive": true, "exact": false, "message": message, "path": path_json(path)}),
            detail: format!(
                "Error in key path \"{}\": (too_small) {message}",
                path_text(path)
            ),
        }
    }
    pub fn too_small_string(path: &[&str], min: usize) -> Issue {
        let message = format!("String must contain at least {min} character(s)");
        Issue {
            json: json!({"code": "too_small", "minimum": min, "type": "string", "inclusive": true, "exact": false, "message": message, "path": path_json(path)}),
            detail: format!(
                "Error in key path \"{}\": (too_small) {message}",
                path_text(path)
            ),
        }
    }
    pub fn too_big_string(path: &[&str], max: usize) -> Issue {
        let message = format!("String must contain at most {max} character(s)");
        Issue {
            json: json!({"code": "too_big", "maximum": max, "type": "string", "inclusive": true, "exact": false, "message": message, "path": path_json(path)}),
            detail: format!(
                "Error in key path \"{}\": (too_big) {message}",
                path_text(path)
            ),
        }
    }
    pub fn invalid_enum(path: &[&str], received: &str, options: &[&str]) -> Issue {
        let expected = options
            .iter()
            .map(|o| format!("'{o}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        let message = format!("Invalid enum value. Expected {expected}, received '{received}'");
        Issue {
            json: json!({"received": received, "code": "invalid_enum_value", "options": options, "path": path_json(path), "message": message}),
            detail: format!(
                "Error in key path \"{}\": (invalid_enum_value) {message}",
                path_text(path)
            ),
        }
    }
}

/// `400 guard.invalid_input` for the `body`, `query` or `params` part of a request.
pub fn guard_error(part: &str, issues: Vec<Issue>) -> ApiError {
    let details = issues
        .iter()
        .map(|i| i.detail.clone())
        .collect::<Vec<_>>()
        .join("\n");
    let list: Vec<Value> = issues.into_iter().map(|i| i.json).collect();
    ApiError::raw(
        400,
        json!({
            "code": "guard.invalid_input",
            "data": {"issues": list, "name": "ZodError"},
            "details": details,
            "message": format!("The request {part} is invalid."),
        }),
    )
}

pub fn body_error(issue: Issue) -> ApiError {
    guard_error("body", vec![issue])
}

// ---------------------------------------------------------------------------------------
// Typed access to a JSON body

/// A field that may be absent, `null`, or a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Opt<T> {
    Absent,
    Null,
    Val(T),
}

impl<T> Opt<T> {
    pub fn into_option(self) -> Option<T> {
        match self {
            Opt::Val(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_absent(&self) -> bool {
        matches!(self, Opt::Absent)
    }
}

/// The request body must be a JSON object.
pub fn body_object(v: &Value) -> Result<&Map<String, Value>, ApiError> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(body_error(Issue::invalid_type(
            &[],
            "object",
            type_name(Some(other)),
        ))),
    }
}

pub fn f_str(m: &Map<String, Value>, path: &[&str]) -> Result<Opt<String>, ApiError> {
    let key = path[path.len() - 1];
    match m.get(key) {
        None => Ok(Opt::Absent),
        Some(Value::Null) => Ok(Opt::Null),
        Some(Value::String(s)) => Ok(Opt::Val(s.clone())),
        other => Err(body_error(Issue::invalid_type(
            path,
            "string",
            type_name(other),
        ))),
    }
}

/// A required, non-null string.
pub fn f_str_req(m: &Map<String, Value>, path: &[&str]) -> Result<String, ApiError> {
    let key = path[path.len() - 1];
    match m.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(body_error(Issue::invalid_type(
            path,
            "string",
            type_name(other),
        ))),
    }
}

pub fn f_bool(m: &Map<String, Value>, path: &[&str]) -> Result<Option<bool>, ApiError> {
    let key = path[path.len() - 1];
    match m.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        other => Err(body_error(Issue::invalid_type(
            path,
            "boolean",
            type_name(other),
        ))),
    }
}

pub fn f_num(m: &Map<String, Value>, path: &[&str]) -> Result<Option<f64>, ApiError> {
    let key = path[path.len() - 1];
    match m.get(key) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        other => Err(body_error(Issue::invalid_type(
            path,
            "number",
            type_name(other),
        ))),
    }
}

pub fn f_obj(
    m: &Map<String, Value>,
    path: &[&str],
) -> Result<Option<Map<String, Value>>, ApiError> {
    let key = path[path.len() - 1];
    match m.get(key) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o.clone())),
        other => Err(body_error(Issue::invalid_type(
            path,
            "object",
            type_name(other),
        ))),
    }
}

pub fn f_str_array(m: &Map<String, Value>, path: &[&str]) -> Result<Option<Vec<String>>, ApiError> {
    let key = path[path.len() - 1];
    match m.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    other => {
                        let idx = i.to_string();
                        let mut p: Vec<&str> = path.to_vec();
                        p.push(&idx);
                        return Err(body_error(Issue::invalid_type(
                            &p,
                            "string",
                            type_name(Some(other)),
                        )));
                    }
                }
            }
            Ok(Some(out))
        }
        other => Err(body_error(Issue::invalid_type(
            path,
            "array",
            type_name(other),
        ))),
    }
}

/// A required array of strings with at least `min` elements.
pub fn f_str_array_req(
    m: &Map<String, Value>,
    path: &[&str],
    min: usize,
) -> Result<Vec<String>, ApiError> {
    match f_str_array(m, path)? {
        None => Err(body_error(Issue::invalid_type(path, "array", "undefined"))),
        Some(v) if v.len() < min => Err(body_error(Issue::too_small_array(path, min))),
        Some(v) => Ok(v),
    }
}
