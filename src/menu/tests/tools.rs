//! `check` against a prompt directory, and `simulate` scripts.
