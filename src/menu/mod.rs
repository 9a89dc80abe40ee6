//! The menu: the YAML tree operators edit, its validation (`hotline check`), and the
//! pure engine that walks one call through it (keys and timeouts in, actions out).
