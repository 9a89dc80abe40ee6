//! The menu path a load call walks, as steps: a key (none for the first step) and the
//! prompts the server must play after it. Built from `hotline simulate`'s lines, so the
//! expectation comes from the same menu engine the server runs.

use crate::media::Key;

/// One step of the walk: press `key` (if any), then hear `prompts` in this order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub key: Option<Key>,
    pub prompts: Vec<String>,
}

/// Groups simulation lines (`play zh/01 zh/02`, `key 3`, `stop`, …) into steps: the
/// prompts played before the first key, then each key with every prompt played after it
/// up to the next key. Lines other than `play` and `key` are ignored.
pub fn steps_from_simulation(lines: &[String]) -> Vec<Step> {
    let mut steps = vec![Step {
        key: None,
        prompts: Vec::new(),
    }];
    for line in lines {
        if let Some(rest) = line.strip_prefix("play ") {
            let rest = rest.trim_end_matches(" (no barge-in)");
            if let Some(step) = steps.last_mut() {
                step.prompts
                    .extend(rest.split_whitespace().map(str::to_owned));
            }
        } else if let Some(rest) = line.strip_prefix("key ") {
            // `key 1 (ignored: …)`: only the first word is keys; the note is not.
            let keys = rest.split_whitespace().next().unwrap_or_default();
            for key in keys.chars().filter_map(Key::from_char) {
                steps.push(Step {
                    key: Some(key),
                    prompts: Vec::new(),
                });
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn each_key_expects_every_prompt_played_before_the_next_key() {
        let steps = steps_from_simulation(&lines(
            "play zh/01 zh/02\nkey 3\nplay zh/06\nkey 1\nplay zh/28\nplay zh/06\nkey *\nstop\nplay zh/02\nwaiting in menu main",
        ));
        let key = |c| Key::from_char(c);
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[0].key, None);
        assert_eq!(steps[0].prompts, ["zh/01", "zh/02"]);
        assert_eq!(steps[1].key, key('3'));
        assert_eq!(steps[2].prompts, ["zh/28", "zh/06"]);
        assert_eq!(steps[3].key, key('*'));
        assert_eq!(steps[3].prompts, ["zh/02"]);
    }

    #[test]
    fn a_note_after_a_key_is_not_read_as_keys() {
        let steps =
            steps_from_simulation(&lines("key 1 (ignored: this prompt cannot be interrupted)"));
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].key, Key::from_char('1'));
    }

    #[test]
    fn no_barge_in_note_is_not_a_prompt() {
        let steps = steps_from_simulation(&lines("play zh/08 (no barge-in)"));
        assert_eq!(steps[0].prompts, ["zh/08"]);
    }
}
