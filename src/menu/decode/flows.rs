//! The actions of the ticket flows: `set` (fields of the call's form), `lookup_line` and
//! `submit` (requests whose reply picks one of their branches), and the branches of every
//! request.

use super::super::schema::{Action, ActionId, Assignment, Branch, SecretField, Source, TextField};
use super::super::yaml::{Node, Value};
use super::super::{Pos, Product, SubmitKind};
use super::actions::digits_source;
use super::passwords::{SECRET_NOT_COPIED, SECRET_ONLY};
use super::{Decoder, Entry};

const SET_FIELDS: &[&str] = &[
    "product",
    "number",
    "phenomenon",
    "contact",
    "complaint_type",
    "order",
    "contract",
    "password",
    "new_password",
    "new_password_again",
    "card",
    "card_pin",
];
const SUBMIT_KINDS: &[SubmitKind] = &[
    SubmitKind::Fault,
    SubmitKind::Complaint,
    SubmitKind::Suggestion,
];

/// What a text field of the form takes besides `collected`.
enum Takes {
    /// `caller` or digits: a phone or order number.
    Digits,
    /// A code like `no-dial-tone`.
    Code,
}

fn text_field(name: &str) -> Option<(TextField, Takes)> {
    match name {
        "number" => Some((TextField::Number, Takes::Digits)),
        "contact" => Some((TextField::Contact, Takes::Digits)),
        "order" => Some((TextField::Order, Takes::Digits)),
        "contract" => Some((TextField::Contract, Takes::Digits)),
        "card" => Some((TextField::Card, Takes::Digits)),
        "phenomenon" => Some((TextField::Phenomenon, Takes::Code)),
        "complaint_type" => Some((TextField::ComplaintType, Takes::Code)),
        _ => None,
    }
}

fn secret_field(name: &str) -> Option<SecretField> {
    match name {
        "password" => Some(SecretField::Password),
        "new_password" => Some(SecretField::NewPassword),
        "new_password_again" => Some(SecretField::NewPasswordAgain),
        "card_pin" => Some(SecretField::CardPin),
        _ => None,
    }
}

fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn names(branches: &[Branch]) -> String {
    let names: Vec<&str> = branches.iter().map(|b| b.name()).collect();
    names.join(", ")
}

impl Decoder {
    /// `{set: {FIELD: VALUE, …}, then: ACTION}`; `kind` is the `set` entry.
    pub(super) fn set(&mut self, kind: Entry, then: Option<ActionId>) -> Option<Action> {
        let fields = self.fields(kind.value, kind.pos, "`set`", SET_FIELDS)?;
        if matches!(&kind.value.value, Value::Map(map) if map.is_empty()) {
            let message = format!("`set` needs a field: {}", SET_FIELDS.join(", "));
            self.problem(kind.value.pos, message);
        }
        let assignments: Vec<Option<Assignment>> = fields
            .entries
            .iter()
            .map(|e| self.assignment(e.name, e.value))
            .collect();
        if then.is_none() {
            let message = "`set` needs `then:`, the action once the fields are set";
            self.problem(kind.pos, message);
        }
        Some(Action::Set {
            assignments: assignments.into_iter().collect::<Option<_>>()?,
            then: then?,
        })
    }

    fn assignment(&mut self, name: &str, node: &Node) -> Option<Assignment> {
        let text = self.text(node, name)?;
        if let Some(field) = secret_field(name) {
            return match (text, self.in_secret_entry) {
                ("collected", true) => Some(Assignment::Secret(field)),
                _ => {
                    self.problem(node.pos, format!("`{name}` {SECRET_ONLY}, found `{text}`"));
                    None
                }
            };
        }
        if text == "collected" && self.in_secret_entry {
            self.problem(node.pos, format!("`{name}`: {SECRET_NOT_COPIED}"));
            return None;
        }
        let assignment = match text_field(name) {
            None => text.parse::<Product>().ok().map(Assignment::Product),
            Some((field, Takes::Digits)) => match digits_source(text) {
                Some(Source::Serial) | None => None,
                Some(source) => Some(Assignment::Text(field, source)),
            },
            Some((field, Takes::Code)) => match text {
                "collected" => Some(Assignment::Text(field, Source::Collected)),
                t if is_code(t) => Some(Assignment::Text(field, Source::Literal(t.to_string()))),
                _ => None,
            },
        };
        if assignment.is_none() {
            let takes = match text_field(name) {
                None => "`telephone` or `broadband`",
                Some((_, Takes::Digits)) => "`caller`, `collected` or digits like \"0571\"",
                Some((_, Takes::Code)) => "`collected` or a code of a-z, 0-9 and - like `noise`",
            };
            self.problem(node.pos, format!("`{name}` takes {takes}, found `{text}`"));
        }
        assignment
    }

    /// `{lookup_line: {telephone: A, broadband: A, unknown: A, not_112: A, unavailable: A}}`.
    pub(super) fn lookup_line(&mut self, kind: Entry) -> Option<Action> {
        let branches = self.branch_map(kind, Branch::LOOKUP)?;
        Some(Action::LookupLine { branches })
    }

    /// The branches of a request written `{NAME: {BRANCH: ACTION, …}}`; `kind` is the
    /// `NAME` entry.
    pub(super) fn branch_map(
        &mut self,
        kind: Entry,
        needed: &[Branch],
    ) -> Option<Vec<(Branch, ActionId)>> {
        let what = format!("`{}`", kind.name);
        let Value::Map(map) = &kind.value.value else {
            let message = format!(
                "{what} needs its branches ({}) as a map, found {}",
                names(needed),
                kind.value.kind()
            );
            self.problem(kind.value.pos, message);
            return None;
        };
        let entries = self.entries(map, |name, line| {
            format!("branch `{name}` is given twice in {what} (first on line {line})")
        });
        self.branches(&entries, kind.pos, &what, needed)
    }

    /// `{submit: KIND, BRANCH: ACTION, …}`; `branches` are the entries beside `submit`.
    pub(super) fn submit(&mut self, kind: Entry, branches: &[Entry]) -> Option<Action> {
        let text = self.text(kind.value, "submit")?;
        let Some(submit) = SUBMIT_KINDS.iter().copied().find(|k| k.as_str() == text) else {
            let message = format!("`submit` takes fault, complaint or suggestion, found `{text}`");
            self.problem(kind.value.pos, message);
            return None;
        };
        let needed = match submit {
            SubmitKind::Suggestion => Branch::SUGGESTION,
            SubmitKind::Fault | SubmitKind::Complaint => Branch::SUBMIT,
        };
        let what = format!("`submit: {text}`");
        let branches = self.branches(branches, kind.pos, &what, needed)?;
        Some(Action::Submit {
            kind: submit,
            branches,
        })
    }

    /// The branches of a request: exactly the `needed` ones, each with its action.
    /// A missing branch is reported at `owner`.
    pub(super) fn branches(
        &mut self,
        entries: &[Entry],
        owner: Pos,
        what: &str,
        needed: &[Branch],
    ) -> Option<Vec<(Branch, ActionId)>> {
        let mut branches = Vec::new();
        let mut complete = true;
        for e in entries {
            let action = self.action(e.value, e.name);
            match Branch::from_name(e.name) {
                Some(branch) if needed.contains(&branch) => branches.push((branch, action)),
                found => {
                    let message = match found {
                        Some(_) => format!("{what} has no `{}` branch", e.name),
                        None => format!("unknown branch `{}` in {what}", e.name),
                    };
                    let message = format!("{message}; its branches are: {}", names(needed));
                    self.problem(e.pos, message);
                    complete = false;
                }
            }
        }
        for branch in needed {
            if !branches.iter().any(|(b, _)| b == branch) {
                let message = format!("{what} needs the branch `{}`", branch.name());
                self.problem(owner, message);
                complete = false;
            }
        }
        complete.then_some(branches)
    }
}
