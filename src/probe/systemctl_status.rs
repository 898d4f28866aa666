//! PLACEHOLDER: replaced by the real parser.

use super::ParseError;

pub fn parse(_input: &str) -> Result<(), ParseError> {
    Err(ParseError::whole("not written yet"))
}
