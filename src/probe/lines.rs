//! Small helpers for line- and column-oriented command output.

/// The lines of `input` with their 1-based numbers, without trailing `\r`.
pub fn numbered(input: &str) -> impl Iterator<Item = (usize, &str)> {
    input
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim_end_matches('\r')))
}

/// The non-blank lines of `input` with their 1-based numbers.
pub fn non_blank(input: &str) -> impl Iterator<Item = (usize, &str)> {
    numbered(input).filter(|(_, line)| !line.trim().is_empty())
}
