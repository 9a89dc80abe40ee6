//! What a waiting caller hears of their place in the queue, as a playlist of prompt ids
//! (the `zh/…` prompts of `prompts/zh/prompts.tsv`, named without the language like the
//! number words of [`crate::accounts::spoken`]).
//!
//! Decisions:
//! - the announcement counts the callers ahead, not the caller's place: "您前面还有 N 位
//!   客户在等候，请耐心等待" with N = place - 1, and with nobody ahead "您是下一位，请稍候";
//! - N is a quantity in Mandarin numbers ([`speak_integer`]), except that two people are
//!   两位 (`num-2-of`), not 二位; larger numbers keep 二 (二十二位), which is how they are
//!   said.

use crate::accounts::spoken::speak_integer;

/// The playlist telling a caller at 1-based `place` in the queue how many are ahead.
pub fn place_announcement(place: usize) -> Vec<&'static str> {
    let ahead = place.saturating_sub(1);
    match ahead {
        0 => vec!["queue-first"],
        2 => vec!["queue-ahead", "num-2-of", "queue-waiting"],
        _ => {
            let mut playlist = vec!["queue-ahead"];
            playlist.extend(speak_integer(ahead as u64));
            playlist.push("queue-waiting");
            playlist
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_caller_hears_they_are_next() {
        assert_eq!(place_announcement(1), ["queue-first"]);
    }

    #[test]
    fn callers_further_back_hear_how_many_are_ahead() {
        assert_eq!(
            place_announcement(2),
            ["queue-ahead", "num-1", "queue-waiting"]
        );
        assert_eq!(
            place_announcement(12),
            ["queue-ahead", "num-10", "num-1", "queue-waiting"]
        );
        assert_eq!(
            place_announcement(23),
            [
                "queue-ahead",
                "digit-2",
                "num-10",
                "digit-2",
                "queue-waiting"
            ]
        );
    }

    #[test]
    fn two_ahead_is_liang() {
        assert_eq!(
            place_announcement(3),
            ["queue-ahead", "num-2-of", "queue-waiting"]
        );
    }

    #[test]
    fn every_prompt_of_an_announcement_is_bundled() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts/zh");
        for place in 1..=1000 {
            for id in place_announcement(place) {
                assert!(
                    root.join(format!("{id}.wav")).is_file(),
                    "place {place}: zh/{id}.wav"
                );
            }
        }
    }
}
