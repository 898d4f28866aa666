//! A band: the values of a figure for which a claim holds. Bands, never exact numbers, so
//! runs stay stable and a real regression still fails.

use serde::Serialize;

/// More than `above` (when set) and at most `at_most` (when set).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    pub above: Option<f64>,
    pub at_most: Option<f64>,
}

impl Band {
    pub fn above(low: f64) -> Band {
        Band {
            above: Some(low),
            at_most: None,
        }
    }

    pub fn at_most(high: f64) -> Band {
        Band {
            above: None,
            at_most: Some(high),
        }
    }

    pub fn contains(&self, value: f64) -> bool {
        !value.is_nan()
            && self.above.map_or(true, |low| value > low)
            && self.at_most.map_or(true, |high| value <= high)
    }

    /// `> 0`, `≤ 12.5`, `> 1 and ≤ 2`, with numbers as `show` prints them.
    pub fn describe(&self, show: impl Fn(f64) -> String) -> String {
        match (self.above, self.at_most) {
            (Some(low), Some(high)) => format!("> {} and ≤ {}", show(low), show(high)),
            (Some(low), None) => format!("> {}", show(low)),
            (None, Some(high)) => format!("≤ {}", show(high)),
            (None, None) => "any value".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_exclusive_below_and_inclusive_above() {
        assert!(!Band::above(0.0).contains(0.0));
        assert!(Band::above(0.0).contains(0.1));
        assert!(Band::at_most(5.0).contains(5.0));
        assert!(!Band::at_most(5.0).contains(5.1));
        assert!(!Band::above(0.0).contains(f64::NAN));
    }
}
