//! The call's form as the menu fills it (`set`), and the texts `say_digits` speaks:
//! `collected`, `caller`, `serial` or digits written in the file. An entry of no digits
//! leaves a text field as it was; a secret entry fills only the password fields.

use super::Session;
use crate::menu::schema::{Assignment, Source};

impl Session {
    /// The digit prompts that speak the digits of `source`.
    pub(super) fn digit_prompts(&self, source: &Source) -> Vec<String> {
        let language = &self.menu.language;
        let digits = self.text(source).chars().filter(char::is_ascii_digit);
        digits.map(|d| format!("{language}/digit-{d}")).collect()
    }

    /// The text a source stands for now ("" when there is none yet).
    fn text<'a>(&'a self, source: &'a Source) -> &'a str {
        match source {
            Source::Collected => &self.collected,
            Source::Caller => &self.call.caller,
            Source::Serial => &self.serial,
            Source::Literal(text) => text,
        }
    }

    /// Sets one field of the form; an empty text (an entry of no digits) leaves the field
    /// as it was, so a default set earlier stays.
    pub(super) fn assign(&mut self, assignment: &Assignment) {
        match assignment {
            Assignment::Product(product) => self.form.product = Some(*product),
            Assignment::Text(field, source) => {
                let text = self.text(source).to_string();
                if !text.is_empty() {
                    *self.form.text_mut(*field) = Some(text);
                }
            }
            Assignment::Secret(field) => {
                *self.form.secret_mut(*field) = self.collected_secret.clone();
            }
        }
    }
}
