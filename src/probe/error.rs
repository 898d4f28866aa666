//! The error every parser returns: what was wrong and where, never a panic.

use std::fmt;

/// A parser could not read its input.
///
/// `line` is 1-based; 0 means the input as a whole (for example, it is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub text: String,
    pub message: String,
}

impl ParseError {
    /// An error about line `line` (1-based) whose text is `text`.
    pub fn at(line: usize, text: &str, message: impl Into<String>) -> ParseError {
        ParseError {
            line,
            text: shorten(text),
            message: message.into(),
        }
    }

    /// An error about the input as a whole.
    pub fn whole(message: impl Into<String>) -> ParseError {
        ParseError {
            line: 0,
            text: String::new(),
            message: message.into(),
        }
    }
}

/// Keeps error messages readable when a line is huge (binary garbage has no newlines).
fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}: `{}`", self.line, self.message, self.text)
        }
    }
}

impl std::error::Error for ParseError {}
