//! # The menu file: a reference for operators
//!
//! A menu file (`menus/hotline.yaml`) describes what callers hear and what each key does.
//! `hotline check` reports every mistake as `file:line:column: message`;
//! `hotline simulate --keys "3 1 *"` shows what a caller would hear.
//!
//! ```yaml
//! language: zh            # prompt `02` is played from prompts/zh/02.wav
//! welcome: 01             # played once when the call starts, before the start menu
//! defaults:               # every menu uses these unless it says otherwise
//!   timeout: 5s           # no key this long after a menu prompt: a "timeout"
//!   inter_digit_timeout: 3s   # during digit entry: the entry ends after this pause
//!   max_failures: 3       # wrong keys (and bad entries) in a row before "too many"
//!   max_timeouts: 3       # timeouts in a row before "too many"
//!   invalid_prompt: 11    # after a wrong key, then the menu prompt again
//!   timeout_prompt: 10    # after a timeout, then the menu prompt again
//!   too_many_prompt: 08   # after too many failures, then `on_too_many`
//!   on_too_many: {transfer: agent}   # or: hangup
//!   goodbye_prompt: 09    # played by `hangup` before the line is cleared
//!   transfer_prompt: 05   # played by `transfer` before the call is handed on
//!   barge_in: true        # a key interrupts the prompt (false: it is ignored)
//! transfers:              # names for the places calls can be handed to:
//!   agent: {queue: general}               # a queue of this server's agents (config/queues.yaml)
//!   long-distance: sip:operator@10.0.0.5  # any other SIP address, by REFER (an external ACD too)
//! start: main             # the first menu
//! menus:
//!   main:
//!     prompt: 02          # one prompt, or a list played in a row: [25, 07]
//!     keys:
//!       1: {goto: query}
//!       0: {transfer: agent}
//!       "*": back         # `*` and `#` must be written in quotes
//! ```
//!
//! ## A menu
//!
//! `prompt:` (required) and `keys:` (key → action), or `collect:` for digit entry, or
//! both (then `keys:` holds the keys that are not digits, e.g. `"*": back`), or
//! `record:` to record the caller's voice (with `keys:` for the keys during its prompt,
//! see "Recording" below). Any setting
//! of `defaults:` may be given in a menu too and then applies to that menu only, e.g.
//! `barge_in: false` or `max_failures: 2`.
//!
//! Keys are `0`-`9`, `"*"`, `"#"` and `A`-`D`. Prompt ids are letters, digits, `-` and `_`.
//! Times are written `5s`, `1.5s`, `800ms` or a plain number of seconds.
//!
//! ## Digit entry
//!
//! ```yaml
//!   phone-number:
//!     prompt: 21
//!     collect:
//!       min_digits: 7       # default 1
//!       max_digits: 12      # required; the entry ends by itself at this length
//!       end_key: "#"        # default "#"; `none` for no end key
//!       pattern: '0\d+'     # optional; the whole entry must match (a regex)
//!       secret: false       # true: a password: see "Passwords" below
//!       then: {say_digits: collected}
//!     keys: {"*": back}
//! ```
//!
//! The entry ends with the end key, at `max_digits`, or after `inter_digit_timeout`
//! without a key. Too short or not matching `pattern` counts as a wrong key. No key at all
//! within `timeout` is a timeout.
//!
//! ## Actions
//!
//! | action | what it does |
//! |---|---|
//! | `goto: query` | go to a menu (remembering where we came from) |
//! | `back` | return to the menu we came from (`*` usually) |
//! | `top` | return to the start menu |
//! | `repeat` | play this menu's prompt again |
//! | `play: 28` or `play: [28, 09]` | play prompts, then `then:` (default: `repeat`) |
//! | `say_digits: collected` | speak digits from `digit-0`…`digit-9`: `collected` (the entry just made), `caller` (the caller's number), `serial` (the serial number of the ticket just made) or digits like `"102"`; then `then:` (default `repeat`) |
//! | `hangup` | play `goodbye_prompt`, then hang up; `hangup: 09` names the goodbye, `hangup: []` hangs up at once |
//! | `transfer: agent` | play `transfer_prompt`, then hand the call to that transfer's SIP address |
//! | `set: {number: caller}` | fill in fields of the ticket being made, then `then:` (required) |
//! | `lookup_line: {…}` | ask which line the number is; one branch per answer |
//! | `submit: fault` | make the ticket (`fault`, `complaint` or `suggestion`); one branch per answer |
//! | `password_status: line` | has the line (or `contract`) a password, may this caller set it? one branch per answer |
//! | `check_password: {…}` | is the entered password right? one branch per answer |
//! | `set_password: {…}` | make the entered new password the password; one branch per answer |
//! | `say: weakness` | speak why the new password was refused, then `then:` (default `repeat`) |
//! | `query_balance: {…}` | ask the line's balance and charges (password first); one branch per answer |
//! | `redeem_card: {…}` | top the line up with the form's recharge card; one branch per answer |
//! | `order_status: {…}` | ask where an installation order stands; one branch per answer |
//! | `repair_status: {…}` | ask where the number's open fault report stands; one branch per answer |
//! | `say: balance` (`charges`, `new_balance`, `order`, `repair`) | speak what the last query found, then `then:` (default `repeat`) |
//!
//! `then:` takes any action: `{play: 102, then: back}`. A key pressed during the prompts
//! of `play`/`say_digits`/`say` is handled by the menu the caller is in (if `barge_in`).
//!
//! ## Tickets: faults, complaints, suggestions
//!
//! While the caller walks a flow, the menu fills in a form with `set`, then `submit`
//! hands it to the ticket store:
//!
//! ```yaml
//!       1: {set: {product: telephone}, then: {goto: fault-whose}}
//!       1: {set: {number: caller, contact: caller}, then: {lookup_line: {…}}}
//!       then: {set: {contact: collected}, then: {submit: fault, created: …, …}}
//! ```
//!
//! | field | values |
//! |---|---|
//! | `product` | `telephone` or `broadband` (which phenomenon menu, how the number is looked up) |
//! | `number` | the number the report is about: `caller`, `collected` or digits like `"0571"` |
//! | `contact` | the number to call back: `caller`, `collected` or digits |
//! | `order` | the installation or move order number: usually `collected` |
//! | `phenomenon` | the fault's code (`no-dial-tone`, `noise`, …) or `collected` |
//! | `complaint_type` | a type code of `config/complaint-catalogue.yaml` or `collected` |
//! | `contract` | the contract number whose password is meant: usually `collected` |
//! | `password`, `new_password`, `new_password_again` | only `collected`, after a secret entry (see "Passwords") |
//! | `card` | the recharge card's number: usually `collected` |
//! | `card_pin` | the recharge card's PIN: only `collected`, after a secret entry |
//!
//! `collected` from an entry of no digits (`min_digits: 0` and just the end key) leaves
//! the field as it was, so set a default first (`contact: caller`). Going `back` undoes
//! what was set since the menu returned to was entered; `top` and every answer to
//! `submit` start a new, empty form.
//!
//! The store's answer picks a branch, each branch an action (every one is required):
//!
//! ```yaml
//!       then:
//!         lookup_line:
//!           telephone: {goto: fault-phenomenon-telephone}   # a telephone line
//!           broadband: {goto: fault-phenomenon-broadband}   # a broadband account
//!           unknown: {play: number-unknown}     # no such number (then: repeat)
//!           not_112: {play: not-112, then: {transfer: agent}}   # not reported by phone
//!           unavailable: {play: store-unavailable, then: top}   # the store did not answer
//!       then:
//!         submit: fault           # or complaint, or suggestion
//!         created: {play: 31, then: {say_digits: serial, then: {goto: report-done}}}
//!         urged: {play: urged, then: top}   # already reported: the open ticket was urged
//!         remind_to_pay: {play: remind-to-pay, then: top}   # suspended for arrears
//!         supervisor: {play: supervisor-handoff, then: {transfer: supervisor}}
//!         refused: {play: report-refused, then: {transfer: agent}}
//!         unavailable: {play: store-unavailable, then: top}
//! ```
//!
//! `lookup_line` looks up the form's `number` as a line of its `product` (any product
//! when none is set). `submit: suggestion` has only `created`, `refused` and
//! `unavailable`. Keys pressed while the store is being asked are ignored. The ticket
//! also records the key chosen in each menu on the way (`3-1-1-1-2`). Branches used
//! twice can be written once with a YAML anchor: `lookup_line: &fault-line` then
//! `lookup_line: *fault-line`.
//!
//! ## Passwords
//!
//! The line password (spec §2) is set and changed only from the line itself. A password
//! is typed in a secret entry, `collect:` with `secret: true`: its digits are shown as
//! `******` in the call's path, never logged, and can go only into the password fields
//! of the form, in that entry's own `then:` (`set: {password: collected}`); there
//! `say_digits: collected` and other fields taking `collected` are refused.
//!
//! ```yaml
//!       2:
//!         password_status: line   # the form's `number`, else the caller's own number
//!         no_password: {goto: password-none}      # 14: set one
//!         has_password: {goto: password-old}      # 15: the password now first
//!         other_line: {play: password-other-line} # the caller is not that line
//!         not_allowed: {play: password-not-allowed}   # suspended or vacant
//!         unavailable: {play: store-unavailable, then: top}
//!   password-old:
//!     prompt: 15
//!     collect:
//!       max_digits: 12
//!       secret: true
//!       then:
//!         set: {password: collected}
//!         then:
//!           check_password:
//!             accepted: {goto: password-change-new}
//!             wrong: {play: 24}                   # then this menu again
//!             too_many_wrong: hangup              # the second wrong entry of the call
//!             locked: {play: password-locked, then: top}
//!             unavailable: {play: store-unavailable, then: top}
//!   password-change-again:   # after password-change-new set `new_password`
//!     prompt: 17
//!     collect:
//!       max_digits: 12
//!       secret: true
//!       then:
//!         set: {new_password_again: collected}
//!         then:
//!           set_password:
//!             stored: {play: 19, then: top}
//!             mismatch: {play: 22, then: back}    # the two entries differ
//!             weak: {say: weakness, then: back}   # e.g. "not a run like 123456"
//!             unavailable: {play: 18, then: top}
//! ```
//!
//! `password_status: contract` asks about the form's `contract` (set it from the entry
//! of prompt 29) and has two more branches: `unknown` (no line has that contract number)
//! and `too_many_wrong`. The caller must call from a line of that contract.
//! `check_password` and `set_password` act on the account of the last `password_status`
//! answered `no_password` or `has_password`; before one they take `unavailable`. A wrong
//! password and an unknown contract number are wrong entries: the second of a call takes
//! `too_many_wrong` instead (spec: two wrong entries end the service), an accepted
//! password starts the count again. Five wrong passwords in a row, over any calls, lock
//! the password for 30 minutes (`locked`); agents lift a lock through the API. A new
//! password must be six digits, not one digit six times, not a run like 123456 or 654321
//! and not the last six digits of the line's number; `say: weakness` speaks which rule
//! it broke (`password-six-digits`, `password-weak-same`, `password-weak-run`,
//! `password-weak-line`). The rules and the lockout are set in `config/passwords.yaml`.
//!
//! ## Queries: bill, top-up, installation and repair progress
//!
//! ```yaml
//!   bill-password:              # 15: the line's password first
//!     prompt: 15
//!     collect:
//!       max_digits: 12
//!       secret: true
//!       then:
//!         set: {password: collected}
//!         then:
//!           check_password:
//!             accepted:
//!               query_balance:
//!                 found: {say: balance, then: {say: charges, then: {goto: topup-offer}}}
//!                 unknown: {play: balance-unknown, then: top}
//!                 unavailable: {play: store-unavailable, then: top}
//!             wrong: {play: 24}
//!             …
//!   card-pin:
//!     prompt: card-pin
//!     collect:
//!       max_digits: 20
//!       secret: true
//!       then:
//!         set: {card_pin: collected}
//!         then:
//!           redeem_card:
//!             topped_up: {play: topup-done, then: {say: new_balance, then: top}}
//!             refused: {play: card-refused, then: back}
//!             too_many_wrong: hangup    # the second refused card of the call
//!             unavailable: {play: store-unavailable, then: top}
//!   ...
//!         order_status:         # the form's `order`, else its `number`, else the caller's
//!           found: {say: order, then: top}
//!           unknown: {play: order-unknown, then: back}
//!           unavailable: {play: store-unavailable, then: top}
//!   ...
//!         repair_status:        # the form's `number`, else the caller's
//!           open: {say: repair, then: top}
//!           none: {play: repair-none, then: top}
//!           unavailable: {play: store-unavailable, then: top}
//! ```
//!
//! A bill is confidential (spec §2): `query_balance` and `redeem_card` act on the line
//! whose password `check_password` accepted in this call, and before that take
//! `unavailable` without asking. `say: balance` speaks `balance-is` and the amount, or
//! `owing` and the amount owed when it is negative; `say: charges` speaks `charges-are`
//! and this month's charges; `say: new_balance` only the amount after a top-up (it
//! follows `topup-done`, "top-up done, your balance is"). Amounts are read as Mandarin
//! numbers (一百二十三元四角五分). A card can be used once: two callers with the same
//! card at the same moment, one is `topped_up`, the other `refused`. The card's PIN is
//! a secret entry like a password, and a refused card is a wrong entry like a wrong
//! password: the second wrong entry of a call takes `too_many_wrong`.
//!
//! `say: order` speaks the order's state (`order-waiting`, `order-appointed` with the
//! date and half-day, `order-deferred`, `order-construction`, `order-done`).
//! `say: repair` speaks the fault's stage (`repair-accepted`, `repair-dispatched`,
//! `repair-in-progress`) and the promised repair time (`repair-due`, 24 hours after the
//! first report, as a date and hour), or `repair-overdue` when it has passed, in which
//! case the ticket is urged.
//!
//! ## Recording
//!
//! ```yaml
//!   fault-describe:
//!     prompt: [describe, beep]  # "after the tone, describe the fault, then press #"
//!     record:
//!       max: 60s                # default 60s, at most 5 minutes
//!       end_key: "#"            # default "#"
//!       then: {goto: fault-contact}
//!     keys: {"*": back}         # keys during the prompt
//! ```
//!
//! Recording starts when the prompt has finished and stops at the end key or after
//! `max`; then `then:` runs and the recording goes with the next `submit`. Other keys
//! while recording are ignored. The end key during the prompt skips the recording.
//!
//! Checks made on every load: unknown or missing fields, wrong kinds of value, unknown
//! menus and transfer names, a key written twice, invalid keys and patterns, missing or
//! unknown branches of every request, digits of a secret entry used anywhere but the
//! password fields, password fields set from anything else, menus that can never be reached from
//! `start`, and menus from which the call can never end (no `hangup` or `transfer`
//! reachable, counting `on_too_many` and every branch).

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;

pub use super::actions::Handoff;
pub(crate) use super::actions::{
    AccountKind, Action, Assignment, Said, SecretField, Source, TextField,
};
pub(crate) use super::branches::Branch;
use super::Diagnostic;
use super::Pos;
use crate::media::Key;

/// Index of a menu node in [`Menu::nodes`].
pub(crate) type NodeId = usize;
/// Index of an action in [`Menu::actions`].
pub(crate) type ActionId = usize;

/// A validated menu, immutable; share it as `Arc<Menu>`.
#[derive(Debug)]
pub struct Menu {
    pub(crate) file: PathBuf,
    pub(crate) language: String,
    pub(crate) welcome: Vec<PromptRef>,
    pub(crate) start: NodeId,
    pub(crate) nodes: Vec<MenuNode>,
    /// Every action of the file; menus and `then:` refer to them by index.
    pub(crate) actions: Vec<Action>,
    /// Every prompt use, in file order, for `prompt_refs`.
    pub(crate) prompt_uses: Vec<PromptRef>,
}

/// A prompt as the prompt store names it (`zh/02`), with where the file names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PromptRef {
    pub name: String,
    pub pos: Pos,
}

#[derive(Debug)]
pub(crate) struct MenuNode {
    pub id: String,
    pub pos: Pos,
    pub prompt: Vec<PromptRef>,
    pub keys: Vec<(Key, ActionId)>,
    pub collect: Option<Collect>,
    pub record: Option<Record>,
    pub settings: Settings,
}

impl MenuNode {
    pub fn action_for(&self, key: Key) -> Option<ActionId> {
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, a)| *a)
    }
}

/// Digit entry of a `collect:` node.
#[derive(Debug)]
pub(crate) struct Collect {
    pub min_digits: usize,
    pub max_digits: usize,
    pub end_key: Option<Key>,
    /// Anchored (`^(?:…)$`): the whole entry must match.
    pub pattern: Option<Regex>,
    pub secret: bool,
    pub then: ActionId,
}

/// Voice capture of a `record:` node, after its prompt.
#[derive(Debug)]
pub(crate) struct Record {
    pub max: Duration,
    pub end_key: Key,
    pub then: ActionId,
}

/// The `defaults:` block, and each menu's copy with its own overrides applied.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub timeout: Duration,
    pub inter_digit_timeout: Duration,
    pub max_failures: u32,
    pub max_timeouts: u32,
    pub invalid_prompt: Vec<PromptRef>,
    pub timeout_prompt: Vec<PromptRef>,
    pub too_many_prompt: Vec<PromptRef>,
    pub on_too_many: ActionId,
    pub goodbye_prompt: Vec<PromptRef>,
    pub transfer_prompt: Vec<PromptRef>,
    pub barge_in: bool,
}

impl Menu {
    /// Reads, parses and validates a menu file.
    pub fn load(path: &Path) -> Result<Menu, Vec<Diagnostic>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Menu::from_str(path, &text),
            Err(e) => Err(vec![Diagnostic {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!("cannot read the menu file: {e}"),
            }]),
        }
    }

    /// Parses and validates menu text; `file` is used in the diagnostics.
    pub fn from_str(file: &Path, text: &str) -> Result<Menu, Vec<Diagnostic>> {
        let to_diagnostics =
            |problems: Vec<super::Problem>| problems.into_iter().map(|p| p.in_file(file)).collect();
        let menu = super::decode::decode(file, text).map_err(to_diagnostics)?;
        let problems = super::validate::validate(&menu);
        if problems.is_empty() {
            Ok(menu)
        } else {
            Err(to_diagnostics(problems))
        }
    }

    /// Every prompt name the menu can play (e.g. "zh/02"), with the position that names it
    /// (the message is empty). A prompt used in several places is listed at each.
    pub fn prompt_refs(&self) -> Vec<(String, Diagnostic)> {
        self.prompt_uses
            .iter()
            .map(|p| {
                let at = Diagnostic {
                    file: self.file.clone(),
                    line: p.pos.line,
                    column: p.pos.column,
                    message: String::new(),
                };
                (p.name.clone(), at)
            })
            .collect()
    }

    /// The queues the menu's transfers hand calls to, each once.
    pub fn queues(&self) -> Vec<&str> {
        let mut queues: Vec<&str> = Vec::new();
        for action in &self.actions {
            if let Action::Transfer {
                to: Handoff::Queue(name),
            } = action
            {
                if !queues.contains(&name.as_str()) {
                    queues.push(name);
                }
            }
        }
        queues
    }

    /// The language folder of the prompts (`zh`).
    pub fn language(&self) -> &str {
        &self.language
    }

    pub(crate) fn node(&self, id: NodeId) -> &MenuNode {
        &self.nodes[id]
    }

    pub(crate) fn action(&self, id: ActionId) -> &Action {
        &self.actions[id]
    }
}
