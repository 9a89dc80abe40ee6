//! The prompt lists (`zh/prompts.tsv`): what each recording says, for the operators'
//! catalogue and the menu diagram.
//!
//! A list is tab-separated text with a header row `id text_zh gloss_en pinyin` and one
//! row per prompt of its folder. Decisions (the spec is silent): blank lines are
//! skipped; a row must have exactly the four columns, an id of letters, digits, `-` and
//! `_` (as the menu names prompts) and a text; an id listed twice is a mistake. A list
//! with any such mistake is refused as a whole, like any bad input of a version.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::FolderFile;

/// The header row every list starts with.
pub const HEADER: [&str; 4] = ["id", "text_zh", "gloss_en", "pinyin"];

/// What a prompt says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PromptText {
    /// The words in the prompt's language.
    pub text: String,
    /// An English gloss (may be empty).
    pub gloss: String,
}

/// A mistake in a list, at its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextProblem {
    pub line: usize,
    pub message: String,
}

/// The texts of every prompt list (`*.tsv`) among `files` (`zh/prompts.tsv` names
/// `zh/…`), and each mistake with the list's path.
pub fn folder_texts(
    files: &[FolderFile],
) -> (BTreeMap<String, PromptText>, Vec<(PathBuf, TextProblem)>) {
    let mut texts = BTreeMap::new();
    let mut problems = Vec::new();
    for list in files.iter().filter(|file| file.prompt_name().is_none()) {
        let folder = (list.relative.rsplit_once('/')).map_or("", |(folder, _)| folder);
        let parsed = std::str::from_utf8(&list.bytes)
            .map_err(|error| {
                let message = format!("not UTF-8 text: {error}");
                vec![TextProblem { line: 1, message }]
            })
            .and_then(|text| parse_texts(folder, text));
        match parsed {
            Ok(parsed) => texts.extend(parsed),
            Err(found) => problems.extend(found.into_iter().map(|p| (list.path.clone(), p))),
        }
    }
    (texts, problems)
}

/// The texts of the list of `folder` (`zh`; empty for the prompt folder itself), by
/// prompt name (`zh/02`), or every mistake in it.
pub fn parse_texts(
    folder: &str,
    list: &str,
) -> Result<BTreeMap<String, PromptText>, Vec<TextProblem>> {
    let mut texts = BTreeMap::new();
    let mut problems = Vec::new();
    let mut rows = (list.lines().enumerate())
        .map(|(index, line)| (index + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty());
    match rows.next() {
        Some((_, header)) if header.split('\t').eq(HEADER) => {}
        Some((line, _)) => problems.push(TextProblem {
            line,
            message: format!("the first row must be the header `{}`", HEADER.join("\\t")),
        }),
        None => return Ok(texts),
    }
    for (line, row) in rows {
        let problem = |message: String| TextProblem { line, message };
        let columns: Vec<&str> = row.split('\t').collect();
        let [id, text, gloss, _pinyin] = columns[..] else {
            let count = columns.len();
            problems.push(problem(format!(
                "a row has 4 tab-separated columns (id, text_zh, gloss_en, pinyin), this one {count}"
            )));
            continue;
        };
        let id = id.trim();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        {
            problems.push(problem(format!(
                "prompt id `{id}` must be letters, digits, `-` and `_`"
            )));
            continue;
        }
        if text.trim().is_empty() {
            problems.push(problem(format!("prompt {id} has no text")));
            continue;
        }
        let name = match folder {
            "" => id.to_string(),
            folder => format!("{folder}/{id}"),
        };
        let entry = PromptText {
            text: text.trim().to_string(),
            gloss: gloss.trim().to_string(),
        };
        if texts.insert(name, entry).is_some() {
            problems.push(problem(format!("prompt {id} is listed twice")));
        }
    }
    match problems.is_empty() {
        true => Ok(texts),
        false => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id\ttext_zh\tgloss_en\tpinyin\n\
                        01\t欢迎使用\tWelcome\thuan1 ying2\n\
                        \n\
                        digit-1\t幺\tone\tyao1\r\n";

    #[test]
    fn a_good_list_gives_each_prompt_its_text_and_gloss() {
        let texts = parse_texts("zh", GOOD).expect("parses");
        assert_eq!(texts.len(), 2);
        let welcome = &texts["zh/01"];
        assert_eq!(
            (welcome.text.as_str(), welcome.gloss.as_str()),
            ("欢迎使用", "Welcome")
        );
        assert_eq!(texts["zh/digit-1"].gloss, "one");
        assert_eq!(
            parse_texts("", GOOD).expect("parses")["01"].text,
            "欢迎使用"
        );
        assert!(parse_texts("zh", "").expect("empty is fine").is_empty());
    }

    #[test]
    fn a_malformed_row_is_a_problem_at_its_line() {
        let bad = format!("{GOOD}02\tonly two\n03\t\tno text\tx\n../x\tt\tg\tp\n01\tagain\tg\tp\n");
        let problems = parse_texts("zh", &bad).expect_err("refused");
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [5, 6, 7, 8], "{problems:?}");
        assert!(
            problems[0].message.contains("4 tab-separated columns"),
            "{problems:?}"
        );
        assert!(problems[1].message.contains("no text"));
        assert!(problems[2].message.contains("letters, digits"));
        assert!(problems[3].message.contains("twice"));
    }

    #[test]
    fn a_list_without_its_header_is_refused_at_line_1() {
        let problems = parse_texts("zh", "02\ttext\tgloss\tpinyin\n").expect_err("refused");
        assert_eq!(problems[0].line, 1);
        assert!(problems[0].message.contains("header"));
    }

    #[test]
    fn the_bundled_list_parses() {
        let list = include_str!("../../prompts/zh/prompts.tsv");
        let texts = parse_texts("zh", list).unwrap_or_else(|p| panic!("{p:?}"));
        assert!(texts["zh/02"].text.contains("查询请按1"));
    }
}
