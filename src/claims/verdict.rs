//! What a measurement says about a claim.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The figure lies in the claim's band.
    Holds,
    /// The figure lies outside it.
    DoesNotHold,
    /// The optimization changes nothing the claim depends on: the machine already works so.
    NoEffect,
    /// A figure the claim rests on is missing, or cannot be measured here.
    NotMeasured,
}

impl Verdict {
    /// A short name for CSS classes and file names.
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does-not-hold",
            Verdict::NoEffect => "no-effect",
            Verdict::NotMeasured => "not-measured",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does not hold",
            Verdict::NoEffect => "no effect on this configuration",
            Verdict::NotMeasured => "not measured",
        })
    }
}
