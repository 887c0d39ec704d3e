//! One form field as the templates draw it (`templates/profile/_input.html`): label, input,
//! hint and error tied together with `aria-describedby`.

use super::FieldErrors;

#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Element id, unique on the page (`<section>-<name>`).
    pub id: String,
    pub name: String,
    pub label: String,
    /// `text`, `email`, `url`, `tel`, `password`, `date`, `number`, `select`, `checkbox` or
    /// `textarea`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub error: Option<String>,
    pub hint: Option<String>,
    pub autocomplete: &'static str,
    pub required: bool,
    pub max_length: Option<usize>,
    /// `(value, label)` of a select.
    pub options: Vec<(String, String)>,
    /// Id of a `<datalist>` with suggestions.
    pub list: Option<&'static str>,
    pub inputmode: Option<&'static str>,
    /// CSS selector of an `<img>` that previews the URL typed here (`static/app.js`).
    pub preview: Option<String>,
    /// Gets focus after htmx swaps the form in.
    pub autofocus: bool,
    /// The value when the form was opened, sent back as `was_<name>` so a save changes only
    /// what the person touched (not what someone else changed meanwhile).
    pub original: Option<String>,
}

impl Input {
    pub fn new(section: &str, name: &str, label: String, kind: &'static str) -> Self {
        Input {
            id: format!("{section}-{}", name.replace('_', "-")),
            name: name.to_string(),
            label,
            kind,
            autocomplete: "off",
            ..Default::default()
        }
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    pub fn checked(mut self, on: bool) -> Self {
        self.checked = on;
        self
    }

    /// The message for this field, if `errors` has one.
    pub fn errors(mut self, errors: &FieldErrors) -> Self {
        self.error = errors.get(&self.name).cloned();
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into()).filter(|h: &String| !h.is_empty());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint.filter(|h| !h.is_empty());
        self
    }

    pub fn autocomplete(mut self, token: &'static str) -> Self {
        self.autocomplete = token;
        self
    }

    pub fn required(mut self, on: bool) -> Self {
        self.required = on;
        self
    }

    pub fn max_length(mut self, n: usize) -> Self {
        self.max_length = Some(n);
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    pub fn list(mut self, id: &'static str) -> Self {
        self.list = Some(id);
        self
    }

    pub fn inputmode(mut self, mode: &'static str) -> Self {
        self.inputmode = Some(mode);
        self
    }

    pub fn preview(mut self, selector: &str) -> Self {
        self.preview = Some(selector.to_string());
        self
    }

    pub fn original(mut self, value: impl Into<String>) -> Self {
        self.original = Some(value.into());
        self
    }

    pub fn autofocus(mut self, on: bool) -> Self {
        self.autofocus = on;
        self
    }

    /// Ids of the hint and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }

    pub fn is_selected(&self, option: &str) -> bool {
        self.value == option
    }
}

/// Whether the person changed a field: its value differs from the one the form was opened
/// with (`was_<name>`); without that, from `current`.
pub fn touched(submitted: &str, was: Option<&str>, current: &str) -> bool {
    submitted != was.map(str::trim).unwrap_or(current)
}

/// The first field with an error gets focus after a swap, else the first field.
pub fn focus_first(inputs: &mut [Input]) {
    let idx = inputs.iter().position(|i| i.error.is_some()).unwrap_or(0);
    if let Some(i) = inputs.get_mut(idx) {
        i.autofocus = true;
    }
}
